import { presentSync } from "@sd-jwt/present";
import { parseEnvelope, type Envelope } from "../envelope/envelope";
import { CertchainError } from "../errors";
import { utf8 } from "../lib/bytes";
import { sha256 } from "../lib/hash";
import { sm3 } from "../lib/sm3";
import { disclosedClaimsOf, disclosureMapOf, subjectClaimsOf } from "../credential/disclosed-claims";
import { parseCredential } from "../credential/parse";

// @sd-jwt/present passes the credential's `_sd_alg`; parseCredential has checked integrity first.
const hasher = (data: string | ArrayBuffer, alg: string): Uint8Array => (alg === "sm3" ? sm3 : sha256)(typeof data === "string" ? utf8(data) : new Uint8Array(data));

/**
 * A claim to reveal: a top-level claim name, or a claim path into nested claims, with array
 * elements by their position in the issued credential (`["spouses", 1, "name"]`).
 */
export type RevealPath = string | readonly (string | number)[];

const keyOf = (path: readonly (string | number)[]): string => path.join(".");

/** The presentable disclosures of a credential, keyed as @sd-jwt/present keys them ("spouses.1.name"). */
const presentableKeys = (credential: string): string[] => disclosureMapOf(parseCredential(credential)).paths.map(({ path }) => keyOf(path));

/**
 * The parts of a certificate its holder can reveal on their own: every disclosure's claim path
 * (a top-level claim, a nested member, an array element), array positions as issued.
 *
 * @example
 * disclosablePaths(marriageEnvelope); // [["holder_name"], ["spouses"], ["spouses", 0], ["spouses", 0, "name"], …]
 */
export function disclosablePaths(input: Envelope | string): (string | number)[][] {
  const envelope = parseEnvelope(input);
  return presentableKeys(envelope.credential).map((key) => key.split(".").map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment)));
}

/**
 * Derives a presentation that discloses only `reveal`; the visible claims (issuer, type, dates,
 * certificate number) always stay. Revealing a claim reveals everything beneath it; revealing a
 * nested path reveals just that part and the disclosures that hold it (a spouse's name shows the
 * spouse entry, not the spouse's other fields); a nested path that is no disclosure of its own
 * reveals the disclosure holding it, without that disclosure's own nested disclosures. The
 * issuer-signed part is untouched, so the envelope's anchor proof still applies. Uses `@sd-jwt/present`.
 *
 * @throws CertchainError `PRESENTATION_UNKNOWN_CLAIM` for a path the certificate does not hold.
 * @example
 * const shared = presentCredential(envelope, ["company_name", "unified_social_credit_code"]);
 * const oneName = presentCredential(marriage, [["spouses", 0, "name"]]);
 */
export function presentCredential(input: Envelope | string, reveal: readonly RevealPath[]): Envelope {
  const envelope = parseEnvelope(input);
  return { ...envelope, credential: presentSdJwt(envelope.credential, reveal) };
}

/** {@link presentCredential} on a compact SD-JWT: the same rules, the SD-JWT (ending in `~`) out. */
export function presentSdJwt(credential: string, reveal: readonly RevealPath[]): string {
  const available = subjectClaimsOf(disclosedClaimsOf(parseCredential(credential)));
  const paths = reveal.map((entry) => (typeof entry === "string" ? [entry] : [...entry]));
  const exists = (path: (string | number)[]) => {
    let node: unknown = available;
    for (const segment of path) {
      if (typeof node !== "object" || node === null || !Object.hasOwn(node, segment)) return false;
      node = (node as Record<string | number, unknown>)[segment];
    }
    return path.length > 0;
  };
  const unknown = paths.filter((path) => !exists(path));
  if (unknown.length > 0) {
    throw new CertchainError("PRESENTATION_UNKNOWN_CLAIM", `not disclosed in this certificate: ${unknown.map((p) => p.join(".")).join(", ")}`);
  }
  // Every disclosure at or below a revealed path; present() adds the ones above it. A path inside
  // a disclosed value that has no disclosure of its own (a plain member of a disclosed object)
  // takes the disclosure that holds it, without that disclosure's other disclosures.
  const keys = presentableKeys(credential);
  const chosen = new Set<string>();
  for (const path of paths) {
    const at = keyOf(path);
    const below = keys.filter((key) => key === at || key.startsWith(`${at}.`));
    if (below.length > 0) below.forEach((key) => chosen.add(key));
    else {
      const holder = keys.filter((key) => at.startsWith(`${key}.`)).sort((a, b) => b.length - a.length)[0];
      if (holder !== undefined) chosen.add(holder);
    }
  }
  const frame: Record<string, unknown> = {};
  for (const key of [...chosen].sort()) {
    let node = frame;
    const segments = key.split(".");
    segments.forEach((segment, i) => {
      if (i === segments.length - 1) node[segment] ??= true;
      else {
        if (typeof node[segment] !== "object") node[segment] = {};
        node = node[segment] as Record<string, unknown>;
      }
    });
  }
  const presented = presentSync(credential, frame as Parameters<typeof presentSync>[1], hasher);
  return presented.endsWith("~") ? presented : `${presented}~`;
}
