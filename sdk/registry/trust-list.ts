import { CertchainError } from "../errors";
import { isBytes32Hex, type Hex } from "../lib/bytes";
import { createRegistryReader, type RegistryReader, type TrustedRegistry } from "./reader";

/**
 * A trust list: the registries a verifier recognises (证照互认, mutual recognition). This file
 * holds the rules that make a list usable — each entry can be told apart from every other — and
 * the file format `certchain verifier --registries` and `certchain verify --registries` read.
 */

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const MAX_ENTRIES = 1_000;
const MAX_TIMEOUT_MS = 120_000;
const FIELDS = new Set(["name", "id", "chainId", "address", "rpcUrl", "rpcUrls", "genesisHash", "timeoutMs"]);

const invalid = (pointer: string, message: string): never => {
  throw new CertchainError("TRUST_LIST_INVALID", `${pointer || "/"}: ${message}`, { details: { pointer } });
};

const isHttpUrl = (value: unknown): value is string => {
  if (typeof value !== "string" || value.length > 2048) return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
};

function parseEntry(value: unknown, at: string): TrustedRegistry {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return invalid(at, "must be an object { name, id, chainId, address, rpcUrl | rpcUrls, genesisHash?, timeoutMs? }");
  const entry = value as Record<string, unknown>;
  for (const key of Object.keys(entry)) if (!FIELDS.has(key)) invalid(`${at}/${key}`, `is not a field of a trust entry (fields: ${[...FIELDS].join(", ")})`);
  const { name, id, chainId, address, rpcUrl, rpcUrls, genesisHash, timeoutMs } = entry;
  if (typeof name !== "string" || name.trim() === "" || name.length > 200) invalid(`${at}/name`, "must be a non-empty string of at most 200 characters (results name the region by it)");
  if (!isBytes32Hex(id)) invalid(`${at}/id`, "must be the registry id: 0x followed by 64 hex digits (the contract's registryId())");
  if (!Number.isSafeInteger(chainId) || (chainId as number) <= 0) invalid(`${at}/chainId`, "must be a positive integer");
  if (typeof address !== "string" || !ADDRESS.test(address)) invalid(`${at}/address`, "must be 0x followed by 40 hex digits");
  if ((rpcUrl === undefined) === (rpcUrls === undefined)) invalid(at, "needs exactly one of rpcUrl or rpcUrls");
  if (rpcUrl !== undefined && !isHttpUrl(rpcUrl)) invalid(`${at}/rpcUrl`, "must be an http(s) URL");
  if (rpcUrls !== undefined) {
    if (!Array.isArray(rpcUrls) || rpcUrls.length === 0 || rpcUrls.length > 16) invalid(`${at}/rpcUrls`, "must be a list of 1 to 16 http(s) URLs");
    (rpcUrls as unknown[]).forEach((url, i) => isHttpUrl(url) || invalid(`${at}/rpcUrls/${i}`, "must be an http(s) URL"));
  }
  if (genesisHash !== undefined && !isBytes32Hex(genesisHash)) invalid(`${at}/genesisHash`, "must be 0x followed by 64 hex digits (the chain's block 0 hash)");
  if (timeoutMs !== undefined && (!Number.isSafeInteger(timeoutMs) || (timeoutMs as number) < 1 || (timeoutMs as number) > MAX_TIMEOUT_MS)) {
    invalid(`${at}/timeoutMs`, `must be an integer from 1 to ${MAX_TIMEOUT_MS}`);
  }
  return {
    name: (name as string).trim(),
    id: id as Hex,
    chainId: chainId as number,
    address: address as Hex,
    ...(rpcUrl !== undefined ? { rpcUrl: rpcUrl as string } : { rpcUrls: [...(rpcUrls as string[])] }),
    ...(genesisHash !== undefined ? { genesisHash: genesisHash as Hex } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs: timeoutMs as number } : {}),
  };
}

/**
 * Reads a trust list file's content (the parsed JSON, or its text):
 * `[{ name, id, chainId, address, rpcUrl | rpcUrls, genesisHash?, timeoutMs? }]`. Every entry
 * names its registry id; unknown fields are refused (a misspelt `genesishash` must not silently
 * pin nothing). Throws `CertchainError` TRUST_LIST_INVALID whose message starts with the JSON
 * pointer of the offending value (also in `details.pointer`), or TRUST_LIST_AMBIGUOUS (see
 * {@link checkTrustList}).
 *
 * @example
 * const registries = parseTrustList(await readFile("registries.json", "utf8"));
 * const result = await verify(file, { registries });
 */
export function parseTrustList(input: unknown): TrustedRegistry[] {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (error) {
      invalid("", `is not JSON (${(error as Error).message})`);
    }
  }
  if (!Array.isArray(value) || value.length === 0) return invalid("", "must be a non-empty JSON array of trust entries");
  if (value.length > MAX_ENTRIES) invalid("", `holds more than ${MAX_ENTRIES} entries`);
  const list = value.map((entry, i) => parseEntry(entry, `/${i}`));
  checkTrustList(list);
  return list;
}

type Entry = Pick<TrustedRegistry, "chainId" | "address" | "id" | "name">;

const sameDeployment = (a: Entry, b: Entry) => a.chainId === b.chainId && a.address.toLowerCase() === b.address.toLowerCase();

/**
 * Refuses a trust list whose entries cannot be told apart, so that no certificate is ever
 * attributed by "first match wins": two entries with the same registry id; two entries with the
 * same chain id and address of which one has no id (an envelope naming that address could be
 * either's); two entries with the same name (results name the region). Throws `CertchainError`
 * TRUST_LIST_AMBIGUOUS naming both entries by position.
 *
 * @example
 * checkTrustList([shanghai, guangzhou]); // throws if they cannot be told apart
 */
export function checkTrustList(registries: readonly Entry[]): void {
  const ambiguous = (i: number, j: number, why: string): never => {
    throw new CertchainError("TRUST_LIST_AMBIGUOUS", `trust entries ${j} and ${i} cannot be told apart: ${why}`, { details: { entries: [j, i] } });
  };
  registries.forEach((a, i) => {
    for (let j = 0; j < i; j++) {
      const b = registries[j];
      if (a.id && b.id && a.id.toLowerCase() === b.id.toLowerCase()) ambiguous(i, j, `both name registry id ${a.id}`);
      if (sameDeployment(a, b) && (!a.id || !b.id)) ambiguous(i, j, `both are ${a.address} on chain ${a.chainId} and ${a.id ? `entry ${j}` : `entry ${i}`} names no registry id`);
      if (a.name !== undefined && a.name === b.name) ambiguous(i, j, `both are named ${JSON.stringify(a.name)}`);
    }
  });
}

/**
 * Which trusted registries an anchor can belong to. An anchor naming a registry id matches the
 * entry with that id, or else the one entry at its chain and address that names no id (whose
 * contract must then turn out to have that id: `confirmId`). An anchor without a registry id
 * (envelopes written before ids) matches every entry at its chain and address: the caller must
 * check each, never take the first.
 */
export function candidatesFor<R extends Entry>(
  registries: readonly R[],
  anchor: { chainId: number; registry: Hex; registryId?: Hex },
): { candidates: R[]; confirmId?: Hex } {
  const here = registries.filter((r) => sameDeployment(r, { chainId: anchor.chainId, address: anchor.registry }));
  if (!anchor.registryId) return { candidates: here };
  const wanted = anchor.registryId.toLowerCase();
  const named = here.filter((r) => r.id?.toLowerCase() === wanted);
  if (named.length > 0) return { candidates: named.slice(0, 1) };
  const unnamed = here.filter((r) => !r.id);
  return unnamed.length > 0 ? { candidates: unnamed.slice(0, 1), confirmId: anchor.registryId } : { candidates: [] };
}

const readers = new WeakMap<TrustedRegistry, { fingerprint: string; provider: unknown; reader: RegistryReader }>();

const fingerprintOf = (r: TrustedRegistry) => JSON.stringify([r.chainId, r.address, r.id, r.name, r.rpcUrl, r.rpcUrls, r.genesisHash, r.timeoutMs]);

/**
 * The reader of a trust entry, made once per entry object: its identity check (chain id,
 * genesis, registry id) is then done once, not on every `verify` call. A reader given instead
 * of an entry is used as it is.
 */
export function readerOf(registry: TrustedRegistry | RegistryReader): RegistryReader {
  if (typeof (registry as RegistryReader).statuses === "function") return registry as RegistryReader;
  const entry = registry as TrustedRegistry;
  const fingerprint = fingerprintOf(entry);
  const cached = readers.get(entry);
  // An entry object changed since (another URL, say) gets a new reader.
  if (cached && cached.fingerprint === fingerprint && cached.provider === entry.provider) return cached.reader;
  const reader = createRegistryReader(entry);
  readers.set(entry, { fingerprint, provider: entry.provider, reader });
  return reader;
}
