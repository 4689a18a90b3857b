export {
  parseEnvelope,
  createPendingEnvelope,
  createAnchoredEnvelope,
  anchorPendingEnvelope,
  isServiceUrl,
  ENVELOPE_FORMAT,
  ENVELOPE_VERSION,
  type Envelope,
  type AnchorProof,
  type PendingAnchor,
} from "./envelope";
