// `@certchain/sdk/internal`: everything in sdk/index.ts plus the low-level helpers the server and
// the SDK's own tests share with the SDK (so hex, base64url and hashes stay byte-identical).
// It resolves only inside this repository (sdk/package.json maps it under the "certchain-source"
// condition alone), is never built or published, and is not covered by semantic versioning.
export * from "./index";
export { toHex as toHexBytes, fromHex, base64urlEncode, base64urlDecode, utf8 } from "./lib/bytes";
export { sha256, keccak256 } from "./lib/hash";
export { sm3, sm3Js } from "./lib/sm3";
export { isAllowedAlgorithm } from "./credential/algorithms";
export { signSm2, verifySm2, sm2Z, sm2BaseMultipleX } from "./credential/sm2";
export { ownValue } from "./lib/own";
export { verifySignature } from "./credential/signature";
export { computeCheckCharacter, isValidCheckCharacter } from "./certificate-number";
export { hasDuplicateNames } from "./lib/strict-json";
// Schema fragments, so the CLI can say "a unified social credit code" instead of a pattern.
export { unifiedSocialCreditCode, idNumber } from "./types/fragments";
export { snapshotOrUnreadable } from "./verify/snapshot";
export { createProofWalker } from "./merkle/proof-walker";
export { createSignaturePool, nodeWorkerFactory, type PoolWorker, type SignatureJob } from "./credential/signature-pool";
export { disclosedSubjectClaimsOf } from "./credential/disclosed-claims";
