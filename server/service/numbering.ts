import { STATUS_LIST_CAPACITY } from "@certchain/sdk";
import type { Database, Sublevel, WriteOp } from "../store/database";
import { statusIndexPermutation } from "./status-index-permutation";

type Counter = { value: number };

/** Counters per agency, read from disk on first use and kept in memory. */
function countersIn(sublevel: Sublevel<number>) {
  const counters = new Map<string, Promise<Counter>>();
  return (agency: string): Promise<Counter> => {
    let counter = counters.get(agency);
    if (counter === undefined) counters.set(agency, (counter = sublevel.get(agency).then((v) => ({ value: v ?? 0 }))));
    return counter;
  };
}

/**
 * Where an agency's status-list entries come from: its lists from `firstList` on, filled in the
 * order of a keyed permutation, `next` of them taken so far. Agencies that issued before indexes
 * were random (`status-indexes` counted from 0) start at the list after their last.
 */
interface StatusAllocation {
  firstList: number;
  next: number;
}

/**
 * Each agency's certificate serials and Token Status List indexes. Handed out synchronously from
 * memory and persisted with the certificates that use them: a crash can only lose numbers of
 * certificates that were never acknowledged.
 *
 * Serials count from 1 (GB/T 36904's 流水号, a running number; README, "Personal data at rest", says why
 * it stays one). Status-list indexes are random within lists of 2^20 entries (herd privacy):
 * a keyed permutation of each list's offsets (status-index-permutation.ts, its key derived per
 * agency and list by `keyOf`), so they never repeat and a published list does not show the order
 * or volume of issuance.
 */
export function createNumbering(db: Database, keyOf: (agency: string, list: number) => Uint8Array) {
  const serials = db.sublevel<number>("serials");
  const legacyStatusIndexes = db.sublevel<number>("status-indexes");
  const allocations = db.sublevel<StatusAllocation>("status-allocation");
  const serialOf = countersIn(serials);
  const loaded = new Map<string, Promise<StatusAllocation>>();
  const permutations = new Map<string, (n: number) => number>();

  const allocationOf = (agency: string): Promise<StatusAllocation> => {
    let allocation = loaded.get(agency);
    if (allocation === undefined) {
      allocation = (async () => {
        const stored = await allocations.get(agency);
        if (stored) return { ...stored };
        const sequential = (await legacyStatusIndexes.get(agency)) ?? 0;
        return { firstList: Math.ceil(sequential / STATUS_LIST_CAPACITY), next: 0 };
      })();
      loaded.set(agency, allocation);
    }
    return allocation;
  };

  function permutationOf(agency: string, list: number): (n: number) => number {
    const key = `${agency}\n${list}`;
    let permute = permutations.get(key);
    if (permute === undefined) permutations.set(key, (permute = statusIndexPermutation(keyOf(agency, list))));
    return permute;
  }

  return {
    /** The agency's next serial (from 1) and status-list index (random within its current list, never reused). */
    async next(agency: string): Promise<{ serial: number; statusIndex: number }> {
      const serial = await serialOf(agency);
      const allocation = await allocationOf(agency);
      const taken = allocation.next++;
      const list = allocation.firstList + Math.floor(taken / STATUS_LIST_CAPACITY);
      return { serial: (serial.value += 1), statusIndex: list * STATUS_LIST_CAPACITY + permutationOf(agency, list)(taken % STATUS_LIST_CAPACITY) };
    },

    /** The writes that persist the agency's counters, as they stand when called (inside the write that uses them). */
    async persistOps(agency: string): Promise<() => WriteOp[]> {
      const serial = await serialOf(agency);
      const allocation = await allocationOf(agency);
      return () => [
        { type: "put", sublevel: serials, key: agency, value: serial.value },
        { type: "put", sublevel: allocations, key: agency, value: { ...allocation } },
      ];
    },
  };
}

export type Numbering = ReturnType<typeof createNumbering>;
