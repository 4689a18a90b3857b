/**
 * When an anchor counts (FINALITY): once its block is CONFIRMATIONS deep ("confirmations"), or
 * once the node's `finalized` block has reached it ("finalized": Ethereum after the merge, or a
 * BFT chain such as Besu QBFT where every block is final). Either way the root is read back from
 * the registry at that block, by block hash, before anything is reported anchored.
 */
export type Finality = "confirmations" | "finalized";

export const FINALITIES: readonly Finality[] = ["confirmations", "finalized"];

export const isFinality = (value: unknown): value is Finality => FINALITIES.includes(value as Finality);
