import { toHex, type Hex } from "../lib/bytes";
import { keccak256 } from "../lib/hash";

/** The registry's id of an agency: keccak256 of its UTF-8 slug. */
export const agencyIdOf = (slug: string): Hex => toHex(keccak256(slug));
