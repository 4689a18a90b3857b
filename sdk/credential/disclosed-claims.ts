import { CertchainError, type CertchainErrorCode } from "../errors";
import { isDisclosureDigestAlgorithm, type DisclosureDigestAlgorithm } from "./algorithms";
import { SD_HASH_ALGORITHMS } from "./sd-alg";
import { VISIBLE_CLAIMS } from "./visible-claims";
import { isPlainObject, type Disclosure, type ParsedCredential } from "./parse";

const RESERVED = new Set<string>(["_sd", "_sd_alg", "...", "__proto__", "constructor", "prototype", ...VISIBLE_CLAIMS]);
const MAX_DEPTH = 16;

const VISIBLE = new Set<string>(VISIBLE_CLAIMS);

/**
 * Sets an own data property; a member named "__proto__" stays a member, never a prototype.
 * Plain objects with ordinary sets stay in V8's fast mode (null-prototype ones do not): claims
 * are rebuilt for every certificate verified.
 */
function define(target: Record<string, unknown>, name: string, value: unknown): void {
  if (name === "__proto__") Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  else target[name] = value;
}

const fail = (code: CertchainErrorCode, message: string): never => {
  throw new CertchainError(code, message);
};

/**
 * The SD-JWT digest of one encoded disclosure, as listed in `_sd`: base64url(SHA-256(disclosure)),
 * or base64url(SM3(disclosure)) for a credential with `_sd_alg: "sm3"`.
 */
export const disclosureDigest = (encoded: string, alg: DisclosureDigestAlgorithm = "sha-256"): string => SD_HASH_ALGORITHMS[alg](encoded);

/** The credential's `_sd_alg` (SHA-256 when absent, RFC 9901 §4.1.1), if it is one we accept. */
function digestAlgorithmOf(payload: Record<string, unknown>): DisclosureDigestAlgorithm | undefined {
  const alg = payload._sd_alg ?? "sha-256";
  return isDisclosureDigestAlgorithm(alg) ? alg : undefined;
}

/**
 * Rebuilds the claims a holder disclosed, as SD-JWT (RFC 9901 §7.1) requires: every disclosure
 * must be referenced by exactly one digest the issuer signed, no digest may repeat, and no
 * disclosure may overwrite a claim. A changed or added disclosure therefore fails here, with
 * INTEGRITY_* codes, before any chain read.
 *
 * Returns all claims (visible ones included) without the `_sd` machinery.
 */
export function disclosedClaimsOf(parsed: ParsedCredential): Record<string, unknown> {
  return unpackClaims(parsed, false);
}

/**
 * `subjectClaimsOf(disclosedClaimsOf(parsed))` in one pass, for verifying many certificates:
 * the same checks (visible claims are still unpacked, so their digests count), one object built.
 */
export function disclosedSubjectClaimsOf(parsed: ParsedCredential): Record<string, unknown> {
  return unpackClaims(parsed, true);
}

function unpackClaims({ payload, disclosures }: ParsedCredential, subjectOnly: boolean): Record<string, unknown> {
  const alg = digestAlgorithmOf(payload) ?? fail("INTEGRITY_UNSUPPORTED_HASH", "only sha-256 and sm3 disclosure digests are supported");

  const byDigest = new Map<string, Disclosure>();
  for (const disclosure of disclosures) {
    const digest = disclosureDigest(disclosure.encoded, alg);
    if (byDigest.has(digest)) fail("INTEGRITY_DUPLICATE_DISCLOSURE", "a disclosure appears twice");
    byDigest.set(digest, disclosure);
  }
  const seenDigests = new Set<string>();
  const used = new Set<string>();

  const take = (digest: unknown): Disclosure | undefined => {
    if (typeof digest !== "string") return fail("FORMAT_MALFORMED", "a digest is not a string");
    if (seenDigests.has(digest)) fail("INTEGRITY_DUPLICATE_DIGEST", "a digest appears twice");
    seenDigests.add(digest);
    const disclosure = byDigest.get(digest);
    if (disclosure) used.add(digest);
    return disclosure;
  };

  const unpack = (value: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) return fail("FORMAT_MALFORMED", "claims are nested too deeply");
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const element of value) {
        if (isPlainObject(element) && "..." in element) {
          if (Object.keys(element).length !== 1) fail("FORMAT_MALFORMED", "an array digest object has extra members");
          const disclosure = take(element["..."]);
          if (!disclosure) continue;
          if (disclosure.name !== undefined) fail("INTEGRITY_CLAIM_CONFLICT", "an object disclosure is used as an array element");
          out.push(unpack(disclosure.value, depth + 1));
        } else out.push(unpack(element, depth + 1));
      }
      return out;
    }
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(value)) {
      if (name === "_sd" || (depth === 0 && name === "_sd_alg")) continue;
      const member = unpack(value[name], depth + 1);
      if (!(subjectOnly && depth === 0 && VISIBLE.has(name))) define(out, name, member);
    }
    if ("_sd" in value) {
      if (!Array.isArray(value._sd)) fail("FORMAT_MALFORMED", "_sd is not an array");
      const disclosed: [string, unknown][] = [];
      const names = new Set<string>();
      for (const digest of value._sd as unknown[]) {
        const disclosure = take(digest);
        if (!disclosure) continue;
        if (disclosure.name === undefined) fail("INTEGRITY_CLAIM_CONFLICT", "an array element disclosure is used as a claim");
        const name = disclosure.name as string;
        if (RESERVED.has(name) || Object.hasOwn(out, name) || names.has(name)) fail("INTEGRITY_CLAIM_CONFLICT", `disclosure would overwrite ${JSON.stringify(name)}`);
        names.add(name);
        disclosed.push([name, unpack(disclosure.value, depth + 1)]);
      }
      // Digests are listed in random order (RFC 9901 §4.2.4.1): members are added by name, so
      // every certificate of a type builds objects of one shape. In digest order each one had a
      // shape of its own, which V8 made slowly and every later reader met as a new one.
      disclosed.sort((a, b) => (a[0] < b[0] ? -1 : 1));
      for (const [name, member] of disclosed) define(out, name, member);
    }
    return out;
  };

  const claims = unpack(payload, 0) as Record<string, unknown>;
  if (used.size !== byDigest.size) fail("INTEGRITY_UNREFERENCED_DISCLOSURE", "a disclosure is not referenced by the signed credential");
  return claims;
}

/** Subject claims only: what the holder disclosed, without iss/vct/iat/nbf/exp/certificate_number. */
export function subjectClaimsOf(claims: Record<string, unknown>): Record<string, unknown> {
  const subject: Record<string, unknown> = {};
  for (const name of Object.keys(claims)) if (!VISIBLE.has(name)) define(subject, name, claims[name]);
  return subject;
}

/**
 * Where each disclosure of a credential sits, as a claim path with array elements by their
 * issued position (`["spouses", 1, "name"]`), in the order found. Undisclosed digests have no
 * path; `withheldElements` lists, per array that holds them, how many elements were withheld
 * (the array's path with disclosed positions, e.g. `["spouses"]`). Assumes integrity was checked.
 */
export function disclosureMapOf({ payload, disclosures }: ParsedCredential): {
  paths: { path: (string | number)[]; encoded: string }[];
  withheldElements: { path: (string | number)[]; count: number }[];
} {
  const alg = digestAlgorithmOf(payload) ?? "sha-256";
  const byDigest = new Map(disclosures.map((d) => [disclosureDigest(d.encoded, alg), d]));
  const paths: { path: (string | number)[]; encoded: string }[] = [];
  const withheldElements: { path: (string | number)[]; count: number }[] = [];
  const walk = (value: unknown, at: (string | number)[], shown: (string | number)[], depth: number) => {
    if (depth > MAX_DEPTH) return;
    if (Array.isArray(value)) {
      let withheld = 0;
      let visible = 0;
      value.forEach((element, i) => {
        if (isPlainObject(element) && "..." in element) {
          const disclosure = byDigest.get(element["..."] as string);
          if (!disclosure) return void withheld++;
          paths.push({ path: [...at, i], encoded: disclosure.encoded });
          walk(disclosure.value, [...at, i], [...shown, visible++], depth + 1);
        } else walk(element, [...at, i], [...shown, visible++], depth + 1);
      });
      if (withheld > 0) withheldElements.push({ path: shown, count: withheld });
      return;
    }
    if (!isPlainObject(value)) return;
    for (const [name, member] of Object.entries(value)) if (name !== "_sd" && name !== "_sd_alg") walk(member, [...at, name], [...shown, name], depth + 1);
    if (Array.isArray(value._sd)) {
      for (const digest of value._sd) {
        const disclosure = typeof digest === "string" ? byDigest.get(digest) : undefined;
        if (!disclosure || disclosure.name === undefined) continue;
        paths.push({ path: [...at, disclosure.name], encoded: disclosure.encoded });
        walk(disclosure.value, [...at, disclosure.name], [...shown, disclosure.name], depth + 1);
      }
    }
  };
  walk(payload, [], [], 0);
  return { paths, withheldElements };
}
