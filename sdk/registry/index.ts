export { CERTCHAIN_REGISTRY_ABI } from "./abi";
export { createRegistryReader, type RegistryReader, type TrustedRegistry, type VerificationQuery } from "./reader";
export * from "./types";
export { agencyIdOf } from "./ids";
