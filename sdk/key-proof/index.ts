export { KEY_PROOF_CODES, type KeyProofCode } from "./codes";
export { createKeyProof, KEY_PROOF_TYPE, type CreateKeyProofParameters } from "./create-key-proof";
export { verifyKeyProof, type VerifyKeyProofOptions, type VerifiedKeyProof } from "./verify-key-proof";
