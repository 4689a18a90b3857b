import { createHash, hash } from "node:crypto";
import type { Hex } from "@certchain/sdk";

// crypto.hash (Node ≥ 20.12: one call, no Hash object) is about twice as fast for the audit
// log's small entries, hashed once per certificate.
export const sha256Hex: (text: string) => Hex =
  typeof hash === "function" ? (text) => `0x${hash("sha256", text, "hex")}` : (text) => `0x${createHash("sha256").update(text, "utf8").digest("hex")}`;
