export { HOLDER_KEY_ALGORITHMS, readHolderKey, holderKeyOfCredential, type HolderKey, type HolderKeyAlgorithm, type HolderPublicJwk, type HolderKeyProblem } from "./holder-key";
export { createWebCryptoHolderSigner, type HolderSigner } from "./holder-signer";
