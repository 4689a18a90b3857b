import { isAllowedAlgorithm, type SignatureAlgorithm } from "../credential/algorithms";
import { base64urlDecode, concatChunks, fromUtf8, utf8, type Hex } from "../lib/bytes";
import type { RegistryReader } from "../registry/reader";
import type { CertificateState } from "../registry/types";

/**
 * IETF Token Status List (draft-ietf-oauth-status-list) as certchain publishes it: one list per
 * agency and 2^20 entries, two bits per entry so suspension fits (0 valid, 1 revoked — the
 * draft's INVALID —, 2 suspended). Fixed-size lists make the list a function of chain data
 * alone: anyone can rebuild it from the registry's `StatusListIndexed` events.
 */
export const STATUS_LIST_BITS = 2;
/** Entries per list: list `k` holds indexes `k·2^20 … (k+1)·2^20 − 1`. */
export const STATUS_LIST_CAPACITY = 1 << 20;
/** The value of each certificate state in a list. */
export const STATUS_LIST_VALUES: Readonly<Record<CertificateState, number>> = Object.freeze({ active: 0, revoked: 1, suspended: 2 });

/**
 * Where an agency's status list is published: `<publicUrl>/status-lists/<slug>/<list>`.
 *
 * @example
 * statusListUri("https://certs.example.gov.cn", "sh-amr", 0); // "https://certs.example.gov.cn/status-lists/sh-amr/0"
 */
export const statusListUri = (publicUrl: string, slug: string, list: number): string => `${publicUrl.replace(/\/+$/, "")}/status-lists/${slug}/${list}`;

/** Which list holds a status index, and where in it. */
export const statusListPosition = (index: number): { list: number; offset: number } => ({ list: Math.floor(index / STATUS_LIST_CAPACITY), offset: index % STATUS_LIST_CAPACITY });

/** The uncompressed byte array of a list (entries packed from the least significant bit, as the draft says). */
export function packStatusList(entries: Iterable<readonly [offset: number, value: number]>, capacity = STATUS_LIST_CAPACITY, bits = STATUS_LIST_BITS): Uint8Array {
  const bytes = new Uint8Array((capacity * bits) / 8);
  const perByte = 8 / bits;
  for (const [offset, value] of entries) {
    if (offset < 0 || offset >= capacity || value === 0) continue;
    bytes[Math.floor(offset / perByte)] |= value << ((offset % perByte) * bits);
  }
  return bytes;
}

/** Reads one entry of an uncompressed list. */
export function statusAt(bytes: Uint8Array, offset: number, bits = STATUS_LIST_BITS): number | undefined {
  const perByte = 8 / bits;
  const byte = bytes[Math.floor(offset / perByte)];
  return byte === undefined ? undefined : (byte >> ((offset % perByte) * bits)) & ((1 << bits) - 1);
}

/** Inflates a list's `lst` (base64url of a ZLIB stream, RFC 1950) with the platform's DecompressionStream. */
export async function inflateStatusList(lst: string, maxBytes = STATUS_LIST_CAPACITY): Promise<Uint8Array> {
  const compressed = base64urlDecode(lst);
  const stream = new Blob([compressed as BlobPart]).stream().pipeThrough(new DecompressionStream("deflate"));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    // A zip bomb is not a status list.
    if (length > maxBytes) {
      await reader.cancel();
      throw new Error("the status list is larger than any list this SDK reads");
    }
    chunks.push(value);
  }
  return concatChunks(chunks, length);
}

/** A Status List Token, decoded, nothing verified. */
export interface StatusListToken {
  header: { alg: SignatureAlgorithm; typ: string; kid?: string };
  payload: { sub?: unknown; iss?: unknown; iat?: unknown; exp?: unknown; ttl?: unknown; status_list?: { bits?: unknown; lst?: unknown } };
  signingInput: Uint8Array;
  signature: Uint8Array;
}

/** Splits a Status List Token (compact JWS, `typ: statuslist+jwt`); throws on anything else. */
export function parseStatusListToken(token: string): StatusListToken {
  const parts = token.trim().split(".");
  if (parts.length !== 3 || token.length > 4 * 1024 * 1024) throw new Error("not a compact JWS");
  const header = JSON.parse(fromUtf8(base64urlDecode(parts[0])));
  const payload = JSON.parse(fromUtf8(base64urlDecode(parts[1])));
  if (header?.typ !== "statuslist+jwt" || !isAllowedAlgorithm(header.alg)) throw new Error("not a statuslist+jwt signed with an allowed algorithm");
  return { header, payload, signingInput: utf8(`${parts[0]}.${parts[1]}`), signature: base64urlDecode(parts[2]) };
}

/**
 * An agency's status-list entries as the chain says they are: every certificate whose status
 * changed with a status-list index (the `StatusListIndexed` events), at its current state on the
 * registry. What the published list must say; what `certchain status-list rebuild` prints.
 *
 * @example
 * const entries = await statusListEntriesFromChain(reader, agencyIdOf("sh-amr"));
 * entries.get(41); // 1: revoked
 */
export async function statusListEntriesFromChain(reader: RegistryReader, agencyId: Hex, fromBlock = 0): Promise<Map<number, number>> {
  if (!reader.statusListIndexes) throw new Error("this registry reader cannot read status-list indexes");
  const { indexes } = await reader.statusListIndexes(agencyId, fromBlock);
  const latest = new Map<number, Hex>();
  for (const { leaf, index } of indexes) latest.set(index, leaf);
  const leaves = [...latest.values()];
  const statuses = await reader.statuses(agencyId, leaves);
  const entries = new Map<number, number>();
  [...latest.keys()].forEach((index, i) => {
    const value = STATUS_LIST_VALUES[statuses[i].state];
    if (value !== 0) entries.set(index, value);
  });
  return entries;
}
