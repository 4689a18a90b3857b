export { CERTCHAIN_REGISTRY_ABI } from "./abi";
export { createRegistryReader, type RegistryReader, type TrustedRegistry, type VerificationQuery, type AnchorTransactionQuery } from "./reader";
export * from "./types";
export { agencyIdOf } from "./ids";
