import { createHash } from "node:crypto";
import type { Hex } from "@certchain/sdk";

export const sha256Hex = (text: string): Hex => `0x${createHash("sha256").update(text, "utf8").digest("hex")}`;
