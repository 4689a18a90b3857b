export {
  parseEnvelope,
  createPendingEnvelope,
  createAnchoredEnvelope,
  ENVELOPE_FORMAT,
  ENVELOPE_VERSION,
  ENVELOPE_VERSIONS,
  envelopeVersionOf,
  type EnvelopeVersion,
  type Envelope,
  type AnchorProof,
  type PendingAnchor,
} from "./envelope";
