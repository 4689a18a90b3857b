import { algorithmFromChain } from "../credential/algorithms";
import { keyIdFromKid } from "../credential/key-id";
import { verifySignature } from "../credential/signature";
import type { Hex } from "../lib/bytes";
import type { RegistryReader } from "../registry/reader";
import type { CertificateState } from "../registry/types";
import { allowedUrl, fetchText, type TextFetchLike } from "../lib/fetch-text";
import { inflateStatusList, parseStatusListToken, statusAt, statusListPosition, STATUS_LIST_VALUES } from "./status-list";

/**
 * Whether `verify` also reads the published Token Status List of format v2 certificates, to
 * report a list that disagrees with the chain. The verdict always follows the chain.
 */
export interface StatusListOptions {
  /** Hosts (`host` or `host:port`) whose status lists may be fetched; https, or http on loopback. */
  hosts: readonly string[];
  /** Default: the global fetch. */
  fetch?: TextFetchLike;
  /** Per list. Default 10 s. */
  timeoutMs?: number;
}

/** How the published list compares with the chain. */
export type PublishedStatus = "agrees" | "stale" | "unavailable";

// 2^20 entries of 2 bits deflate to at most ~256 KiB, ~350 K characters in base64url: room to spare.
const MAX_TOKEN_TEXT = 1024 * 1024;

interface DecodedList {
  kid?: string;
  token: ReturnType<typeof parseStatusListToken>;
  bits: number;
  bytes: Uint8Array;
}

/** One verification call's view of published lists: each list fetched and inflated once. */
export function createStatusListChecker(options: StatusListOptions | undefined, now: number) {
  const lists = new Map<string, Promise<DecodedList | undefined>>();

  async function load(uri: string): Promise<DecodedList | undefined> {
    const text = await fetchText(uri, { fetch: options?.fetch, timeoutMs: options?.timeoutMs, accept: "application/statuslist+jwt", maxChars: MAX_TOKEN_TEXT });
    if (text === undefined) return undefined;
    try {
      const token = parseStatusListToken(text);
      const { bits, lst } = token.payload.status_list ?? {};
      if (token.payload.sub !== uri || ![1, 2, 4, 8].includes(bits as number) || typeof lst !== "string") return undefined;
      if (typeof token.payload.exp === "number" && token.payload.exp <= now) return undefined;
      return { token, bits: bits as number, bytes: await inflateStatusList(lst) };
    } catch {
      return undefined;
    }
  }

  const allowed = (uri: string): boolean => allowedUrl(uri, options?.hosts) !== undefined;

  return {
    /**
     * Compares a certificate's entry in its published list with its state on chain. The list's
     * signature must verify with a key the anchoring agency has on the registry.
     */
    async check(reference: unknown, chainState: CertificateState, context: { reader: RegistryReader; agencyId: Hex; root: Hex; typeId: Hex }): Promise<PublishedStatus | undefined> {
      const ref = (reference as { status_list?: { idx?: unknown; uri?: unknown } } | undefined)?.status_list;
      if (!options || !ref || typeof ref.uri !== "string" || !Number.isSafeInteger(ref.idx) || (ref.idx as number) < 0) return undefined;
      if (!allowed(ref.uri)) return undefined;
      let pending = lists.get(ref.uri);
      if (pending === undefined) lists.set(ref.uri, (pending = load(ref.uri)));
      const list = await pending;
      if (!list) return "unavailable";
      const keyId = keyIdFromKid(list.token.header.kid);
      if (!keyId) return "unavailable";
      try {
        const [found] = await context.reader.verificationContexts([{ root: context.root, keyId, typeId: context.typeId }]);
        const key = found.key;
        if (key.alg === 0 || key.agencyId.toLowerCase() !== context.agencyId.toLowerCase() || algorithmFromChain(key.alg) !== list.token.header.alg) return "unavailable";
        if (!(await verifySignature(list.token.header.alg, key.publicKey, list.token.signingInput, list.token.signature))) return "unavailable";
      } catch {
        return "unavailable";
      }
      const listed = statusAt(list.bytes, statusListPosition(ref.idx as number).offset, list.bits);
      return listed === STATUS_LIST_VALUES[chainState] ? "agrees" : "stale";
    },
  };
}

export type StatusListChecker = ReturnType<typeof createStatusListChecker>;
