export { createShare, openShare, type Share } from "./crypto";
export { parseShareLink, shareLinkOf, isShareLink, type ShareLink } from "./link";
export {
  verifyShareLink,
  isAllowedShareService,
  DEFAULT_SHARE_TIMEOUT_MS,
  type ShareVerificationResult,
  type VerifyShareLinkOptions,
  type FetchLike,
  type ShareReader,
  type ShareRecord,
} from "./verify-share-link";
export { SHARE_CODES, MAX_SHARE_CIPHERTEXT, MAX_SHARE_LIFETIME_MS, type ShareCode } from "./codes";
