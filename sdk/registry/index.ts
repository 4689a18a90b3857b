export { CERTCHAIN_REGISTRY_ABI } from "./abi";
export {
  createRegistryReader,
  DEFAULT_REGISTRY_TIMEOUT_MS,
  type RegistryReader,
  type TrustedRegistry,
  type VerificationQuery,
  type AnchorTransactionQuery,
  type RegistryReadOptions,
  type RegistryIdentity,
  type RegistryProbe,
  type EndpointProbe,
} from "./reader";
export type { RegistryProvider } from "./json-rpc";
export { parseTrustList, checkTrustList } from "./trust-list";
export * from "./types";
export { agencyIdOf } from "./ids";
