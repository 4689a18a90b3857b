import { deflateSync } from "node:zlib";
import {
  STATUS_LIST_BITS,
  STATUS_LIST_CAPACITY,
  STATUS_LIST_VALUES,
  agencyIdOf,
  agencyIssuerUrl,
  packStatusList,
  statusListPosition,
  statusListUri,
  type CredentialSigner,
  type Hex,
  type RegistryReader,
} from "@certchain/sdk";
import { base64urlEncode, utf8 } from "@certchain/sdk/internal";

/** How long a signed list is valid, and how long verifiers may cache it (draft-ietf-oauth-status-list `exp`, `ttl`). */
export const STATUS_LIST_LIFETIME_SECONDS = 24 * 3600;
export const STATUS_LIST_TTL_SECONDS = 60;

interface AgencyLists {
  agencyId: Hex;
  /** Status-list index → value (1 revoked, 2 suspended); absent = 0 valid. */
  entries: Map<number, number>;
  /** The last block whose events are in `entries`. */
  lastBlock: number;
  tokens: Map<number, { token: string; iat: number }>;
  dirty: Set<number>;
  /** Resolves once the whole history has been read after a start. */
  ready?: Promise<void>;
}

export interface StatusListPublisherOptions {
  reader: RegistryReader;
  publicUrl: string;
  /** The agencies whose lists are followed from the start; others as soon as they are asked for. */
  agencies: readonly string[];
  /** Whether this node publishes an agency's lists (it serves the agency). */
  serves(agency: string): boolean;
  /** The agency's current signing key (the one its credentials name). */
  signerFor(agency: string): CredentialSigner | undefined;
  /** How often the chain is read for status changes made elsewhere. Default 1 s. */
  pollMs?: number;
  now?: () => number;
  onError?(error: unknown): void;
}

/** The JWT of one list: `typ: statuslist+jwt`, signed with the agency's key, compressed with zlib level 9 (deterministic). */
export async function signStatusList(options: { signer: CredentialSigner; uri: string; issuer: string; entries: Iterable<readonly [number, number]>; iat: number }): Promise<string> {
  const lst = base64urlEncode(deflateSync(packStatusList(options.entries), { level: 9 }));
  const encode = (value: unknown) => base64urlEncode(utf8(JSON.stringify(value)));
  const header = { alg: options.signer.alg, typ: "statuslist+jwt", kid: options.signer.kid };
  const payload = {
    sub: options.uri,
    iss: options.issuer,
    iat: options.iat,
    exp: options.iat + STATUS_LIST_LIFETIME_SECONDS,
    ttl: STATUS_LIST_TTL_SECONDS,
    status_list: { bits: STATUS_LIST_BITS, lst },
  };
  const signingInput = `${encode(header)}.${encode(payload)}`;
  return `${signingInput}.${base64urlEncode(await options.signer.sign(utf8(signingInput)))}`;
}

/**
 * Publishes each served agency's Token Status Lists, derived from chain events alone (the same
 * derivation anyone can run: `StatusListIndexed` events, then the leaves' current state), never
 * from this service's database. It follows the chain on its own timer, so issuing never waits
 * for it; the service nudges it right after its own status transactions.
 */
export function createStatusListPublisher(options: StatusListPublisherOptions) {
  const now = options.now ?? Date.now;
  const lists = new Map<string, AgencyLists>();
  const stateOf = (agency: string): AgencyLists | undefined => {
    let state = lists.get(agency);
    if (!state && options.serves(agency)) lists.set(agency, (state = { agencyId: agencyIdOf(agency), entries: new Map(), lastBlock: -1, tokens: new Map(), dirty: new Set() }));
    return state;
  };
  for (const agency of options.agencies) stateOf(agency);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  async function refresh(agency: string, state: AgencyLists): Promise<void> {
    const { indexes, toBlock } = await options.reader.statusListIndexes!(state.agencyId, state.lastBlock + 1);
    if (indexes.length > 0) {
      const latest = new Map<number, Hex>();
      for (const { leaf, index } of indexes) latest.set(index, leaf);
      const statuses = await options.reader.statuses(state.agencyId, [...latest.values()]);
      [...latest.keys()].forEach((index, i) => {
        const value = STATUS_LIST_VALUES[statuses[i].state];
        if ((state.entries.get(index) ?? 0) === value) return;
        if (value === 0) state.entries.delete(index);
        else state.entries.set(index, value);
        state.dirty.add(statusListPosition(index).list);
      });
    }
    state.lastBlock = toBlock;
    for (const list of state.dirty) await sign(agency, state, list);
    state.dirty.clear();
  }

  async function sign(agency: string, state: AgencyLists, list: number): Promise<void> {
    const signer = options.signerFor(agency);
    if (!signer) return;
    const offset = list * STATUS_LIST_CAPACITY;
    const entries = [...state.entries].filter(([index]) => index >= offset && index < offset + STATUS_LIST_CAPACITY).map(([index, value]) => [index - offset, value] as const);
    // iat only ever grows, even when two versions are signed within one second.
    const iat = Math.max(Math.floor(now() / 1000), (state.tokens.get(list)?.iat ?? 0) + (state.tokens.has(list) ? 1 : 0));
    const token = await signStatusList({ signer, uri: statusListUri(options.publicUrl, agency, list), issuer: agencyIssuerUrl(options.publicUrl, agency), entries, iat });
    state.tokens.set(list, { token, iat });
  }

  async function refreshAll(): Promise<void> {
    for (const [agency, state] of lists) {
      try {
        await refresh(agency, state);
      } catch (error) {
        options.onError?.(error);
      }
    }
  }

  /** One refresh at a time; a nudge during one runs another right after. */
  function run(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await refreshAll();
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => void run().finally(schedule), options.pollMs ?? 1_000);
    timer.unref();
  }

  return {
    start(): void {
      if (!options.reader.statusListIndexes) return;
      for (const state of lists.values()) state.ready = run();
      schedule();
    },

    /** Reads the chain now (after a status transaction of this service); resolves when the lists reflect it. */
    kick: (): Promise<void> => run(),

    /**
     * The current token of a list, signed anew when older than half its lifetime. Undefined for
     * an agency this node does not serve or before its key exists.
     */
    async token(agency: string, list: number): Promise<string | undefined> {
      const state = stateOf(agency);
      if (!state) return undefined;
      if (state.lastBlock < 0) state.ready ??= run();
      await state.ready?.catch(() => undefined);
      const current = state.tokens.get(list);
      if (!current || now() / 1000 - current.iat > STATUS_LIST_LIFETIME_SECONDS / 2) await sign(agency, state, list);
      return state.tokens.get(list)?.token;
    },

    stop(): void {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export type StatusListPublisher = ReturnType<typeof createStatusListPublisher>;
