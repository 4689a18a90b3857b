export { DCQL_ERRORS, type DcqlErrorCode } from "./codes";
export { parseDcqlQuery, DCQL_LIMITS, SD_JWT_VC_FORMAT, type DcqlQuery, type DcqlCredentialQuery, type DcqlCredentialSetQuery, type DcqlClaimsQuery, type ClaimsPathSegment } from "./query";
export { selectClaims, type ConcreteClaimPath } from "./claims-path";
export { matchDcqlQuery, chooseClaimOption, type DcqlMatch, type DcqlCandidate, type DcqlClaimOption } from "./match-credentials";
