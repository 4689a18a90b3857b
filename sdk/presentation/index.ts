export { presentCredential, presentSdJwt, disclosablePaths, type RevealPath } from "./present";
export { PRESENTATION_CHECKS, PRESENTATION_CODES, PRESENT_ERRORS, type PresentationCheckName, type PresentationCode, type PresentErrorCode } from "./codes";
export { presentWithKeyBinding, type PresentWithKeyBindingParameters } from "./present-with-key-binding";
export { KEY_BINDING_TYPE } from "./key-binding";
export { parseVpToken, type VpTokenEntry } from "./vp-token";
export {
  verifyPresentation,
  type VerifyPresentationOptions,
  type PresentationVerificationResult,
  type PresentedCredentialResult,
  type PresentationCheckResult,
  type PresentationReason,
  type PresentationAnchor,
} from "./verify-presentation";
