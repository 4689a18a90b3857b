import type { Database, Sublevel, WriteOp } from "../store/database";

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
 * Each agency's certificate serials and Token Status List indexes. Handed out synchronously from
 * memory and persisted with the certificates that use them: a crash can only lose numbers of
 * certificates that were never acknowledged.
 */
export function createNumbering(db: Database) {
  const serials = db.sublevel<number>("serials");
  const statusIndexes = db.sublevel<number>("status-indexes");
  const serialOf = countersIn(serials);
  const statusIndexOf = countersIn(statusIndexes);

  return {
    /** The agency's next serial (from 1) and status-list index (from 0, one per certificate, never reused). */
    async next(agency: string): Promise<{ serial: number; statusIndex: number }> {
      const serial = await serialOf(agency);
      const statusIndex = await statusIndexOf(agency);
      return { serial: (serial.value += 1), statusIndex: statusIndex.value++ };
    },

    /** The writes that persist the agency's counters, as they stand when called (inside the write that uses them). */
    async persistOps(agency: string): Promise<() => WriteOp[]> {
      const serial = await serialOf(agency);
      const statusIndex = await statusIndexOf(agency);
      return () => [
        { type: "put", sublevel: serials, key: agency, value: serial.value },
        { type: "put", sublevel: statusIndexes, key: agency, value: statusIndex.value },
      ];
    },
  };
}

export type Numbering = ReturnType<typeof createNumbering>;
