import type { ParsedCredential } from "./parse";
import { isPlainObject } from "./parse";
import { sdHashFunctionOf } from "./sd-alg";

/** Where one disclosure of a credential sits. */
export interface DisclosurePath {
  /** As the disclosed claims show it: array positions among the elements present (`result.claims`, DCQL). */
  presented: (string | number)[];
  /** As issued: array positions among all the array's entries (`presentCredential`'s reveal paths). */
  issued: (string | number)[];
  /** The disclosure as it appears between `~`. */
  encoded: string;
}

const MAX_DEPTH = 16;

/**
 * Every disclosure of a credential with its claim path, parents before children, digests hashed
 * with the credential's `_sd_alg`. Digests without a disclosure (withheld claims, decoys) are
 * skipped and take no array position in `presented`. Assumes integrity was checked; never throws.
 */
export function disclosurePathsOf({ payload, disclosures }: ParsedCredential): DisclosurePath[] {
  const digestOf = sdHashFunctionOf(payload);
  if (!digestOf) return [];
  const byDigest = new Map(disclosures.map((d) => [digestOf(d.encoded), d]));
  const out: DisclosurePath[] = [];
  const walk = (value: unknown, presented: (string | number)[], issued: (string | number)[], depth: number): void => {
    if (depth > MAX_DEPTH) return;
    if (Array.isArray(value)) {
      let position = 0;
      value.forEach((element, i) => {
        if (isPlainObject(element) && "..." in element) {
          const disclosure = typeof element["..."] === "string" ? byDigest.get(element["..."]) : undefined;
          if (!disclosure) return;
          const at = { presented: [...presented, position++], issued: [...issued, i] };
          out.push({ ...at, encoded: disclosure.encoded });
          walk(disclosure.value, at.presented, at.issued, depth + 1);
        } else walk(element, [...presented, position++], [...issued, i], depth + 1);
      });
      return;
    }
    if (!isPlainObject(value)) return;
    for (const [name, member] of Object.entries(value)) if (name !== "_sd" && !(depth === 0 && name === "_sd_alg")) walk(member, [...presented, name], [...issued, name], depth + 1);
    if (!Array.isArray(value._sd)) return;
    for (const digest of value._sd) {
      const disclosure = typeof digest === "string" ? byDigest.get(digest) : undefined;
      if (!disclosure || disclosure.name === undefined) continue;
      out.push({ presented: [...presented, disclosure.name], issued: [...issued, disclosure.name], encoded: disclosure.encoded });
      walk(disclosure.value, [...presented, disclosure.name], [...issued, disclosure.name], depth + 1);
    }
  };
  walk(payload, [], [], 0);
  return out;
}
