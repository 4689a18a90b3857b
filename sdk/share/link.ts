import { CertchainError } from "../errors";
import { SHARE_CODES } from "./codes";

/** The parts of a share link `<apiBase>/s/<id>#<key>`. */
export interface ShareLink {
  /** Where the share API lives: the link's origin (plus any path prefix before `/s/`). */
  apiBase: string;
  id: string;
  key: string;
}

const ID = /^[A-Za-z0-9_-]{16,64}$/;
const KEY = /^[A-Za-z0-9_-]{43}$/;
const SHARE_PATH = /^(.*)\/s\/([^/]+)\/?$/;

const invalid = (detail: string) => new CertchainError("SHARE_LINK_INVALID", SHARE_CODES.SHARE_LINK_INVALID, { details: { problem: detail } });

/**
 * Splits a share link `<origin>/s/<id>#<key>` into the API base, the share id and the key.
 *
 * @throws CertchainError `SHARE_LINK_INVALID`.
 * @example
 * const { apiBase, id, key } = parseShareLink("https://certs.example.gov.cn/s/q2Zk…#Vb7x…");
 */
export function parseShareLink(link: string | URL): ShareLink {
  let url: URL;
  try {
    url = new URL(String(link).trim());
  } catch {
    throw invalid("not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw invalid("not an http(s) URL");
  if (url.username || url.password) throw invalid("credentials in the URL");
  const match = SHARE_PATH.exec(url.pathname);
  if (!match || !ID.test(match[2])) throw invalid("no /s/<id> path");
  const key = url.hash.replace(/^#/, "");
  if (!KEY.test(key)) throw invalid(key === "" ? "no key after #" : "the key after # is malformed");
  return { apiBase: `${url.origin}${match[1]}`, id: match[2], key };
}

/**
 * The link a holder hands out. The key is in the fragment, which browsers never send to a server.
 *
 * @example
 * shareLinkOf(location.origin, id, key); // "https://…/s/<id>#<key>"
 */
export function shareLinkOf(origin: string, id: string, key: string): string {
  if (!ID.test(id)) throw invalid("malformed id");
  if (!KEY.test(key)) throw invalid("malformed key");
  return `${origin.replace(/\/+$/, "")}/s/${id}#${key}`;
}

/** Whether a string looks like a share link (cheap; `parseShareLink` is the judge). */
export function isShareLink(input: unknown): input is string {
  if (typeof input !== "string" || input.length > 4096) return false;
  try {
    parseShareLink(input);
    return true;
  } catch {
    return false;
  }
}
