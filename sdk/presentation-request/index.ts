export { REQUEST_CODES, type RequestCode } from "./codes";
export {
  REQUEST_OBJECT_TYPE,
  VERIFIER_ATTESTATION_TYPE,
  VERIFIER_ATTESTATION_PREFIX,
  MAX_REQUEST_OBJECT_LENGTH,
  MAX_PURPOSE_LENGTH,
  type PresentationRequest,
} from "./request-object";
export { verifyPresentationRequest, type VerifyPresentationRequestOptions, type PresentationRequestResult, type RequestVerifier } from "./verify-request";
export { createVerifierAttestation, createRequestObject, type CreateVerifierAttestationParameters, type CreateRequestObjectParameters } from "./create-request";
