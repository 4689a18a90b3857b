export {
  parseEnvelope,
  createPendingEnvelope,
  createAnchoredEnvelope,
  ENVELOPE_FORMAT,
  ENVELOPE_VERSION,
  type Envelope,
  type AnchorProof,
  type PendingAnchor,
} from "./envelope";
