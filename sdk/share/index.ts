export { createShare, openShare, type Share } from "./crypto";
export { parseShareLink, shareLinkOf, isShareLink, type ShareLink } from "./link";
export { verifyShareLink, type ShareVerificationResult, type VerifyShareLinkOptions, type FetchLike } from "./verify-share-link";
export { SHARE_CODES, MAX_SHARE_CIPHERTEXT, MAX_SHARE_LIFETIME_MS, type ShareCode } from "./codes";
