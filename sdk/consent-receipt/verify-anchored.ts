import { isCertchainError } from "../errors";
import { isBytes32Hex, type Hex } from "../lib/bytes";
import type { RegistryReader, TrustedRegistry } from "../registry/reader";
import { checkTrustList, readerOf } from "../registry/trust-list";
import { VERIFY_CODES } from "../verify/codes";
import { parseConsentReceipt, type ConsentReceipt } from "./receipt";
import { verifyConsentReceiptProof } from "./receipt-tree";

/**
 * Why an anchored receipt does not prove a use (`verifyAnchoredConsentReceipt`). Stable codes;
 * `CHAIN_UNREACHABLE` (from `VERIFY_CODES`) when no trusted registry answered.
 */
export const ANCHORED_RECEIPT_CODES = {
  RECEIPT_MALFORMED: "The consent receipt is not a well-formed version 1 receipt.",
  RECEIPT_PROOF_INVALID: "The Merkle proof does not lead from the receipt's leaf to the root.",
  RECEIPT_ROOT_NOT_ANCHORED: "No trusted registry records that root as anchored.",
  RECEIPT_TIME_AFTER_ANCHOR: "The receipt says the use happened after its root was anchored: it cannot have been in that tree.",
} as const satisfies Record<string, string>;

/** A code of {@link ANCHORED_RECEIPT_CODES}. */
export type AnchoredReceiptCode = keyof typeof ANCHORED_RECEIPT_CODES;

/** What {@link verifyAnchoredConsentReceipt} needs besides the receipt. */
export interface VerifyAnchoredConsentReceiptOptions {
  /** The receipt's Merkle proof (from the department's anchoring). */
  proof: readonly Hex[];
  /** The root the proof leads to, as anchored on the registry. */
  root: Hex;
  /** The registries a supervisor trusts. */
  registries: readonly (TrustedRegistry | RegistryReader)[];
  timeoutMs?: number;
}

/** What {@link verifyAnchoredConsentReceipt} returns: never thrown. */
export interface AnchoredConsentReceiptResult {
  /** The receipt is in a tree whose root the department anchored on a trusted registry, at or after the use. */
  valid: boolean;
  code: AnchoredReceiptCode | "CHAIN_UNREACHABLE" | null;
  message: string | null;
  /** The receipt in canonical order (null when it could not be read). */
  receipt: ConsentReceipt | null;
  /** The agency (department) whose operator anchored the root: who recorded the use. */
  department: { id: Hex; slug: string; name: string } | null;
  /** When the chain recorded the root (ISO 8601). */
  anchoredAt: string | null;
  registry: { chainId: number; address: Hex; name: string } | null;
}

/** Receipts carry the holder's clock (the key-binding JWT's iat), which may run a little ahead. */
const CLOCK_SKEW_SECONDS = 300;

/**
 * Proves a department's use of a citizen's certificate from the receipt alone, without the
 * department: the receipt's leaf, its proof and the root, and the root's anchor on a trusted
 * registry (which agency's operator anchored it, and when). The receipt says which request
 * (`request`, the hash of the signed request object), which certificates, which fields
 * (`claims`) and when (`time`); the anchor says the department recorded it by `anchoredAt`.
 * Never throws on hostile input.
 *
 * @example
 * const checked = await verifyAnchoredConsentReceipt(receipt, { proof, root, registries });
 * if (checked.valid) console.log(checked.department!.name, checked.receipt!.credentials[0].claims, checked.anchoredAt);
 */
export async function verifyAnchoredConsentReceipt(receipt: unknown, options: VerifyAnchoredConsentReceiptOptions): Promise<AnchoredConsentReceiptResult> {
  const registries = Array.isArray(options?.registries) ? [...options.registries] : [];
  checkTrustList(registries);
  const result = (code: AnchoredReceiptCode | "CHAIN_UNREACHABLE" | null, rest: Partial<AnchoredConsentReceiptResult> = {}): AnchoredConsentReceiptResult => ({
    valid: code === null,
    code,
    message: code === null ? null : code === "CHAIN_UNREACHABLE" ? VERIFY_CODES.CHAIN_UNREACHABLE[1] : ANCHORED_RECEIPT_CODES[code],
    receipt: null,
    department: null,
    anchoredAt: null,
    registry: null,
    ...rest,
  });
  let parsed: ConsentReceipt;
  try {
    parsed = parseConsentReceipt(receipt);
  } catch {
    return result("RECEIPT_MALFORMED");
  }
  const root = options?.root;
  if (!isBytes32Hex(root) || !Array.isArray(options.proof) || !verifyConsentReceiptProof(parsed, options.proof, root)) return result("RECEIPT_PROOF_INVALID", { receipt: parsed });
  let unreachable = false;
  for (const reader of registries.map(readerOf)) {
    try {
      const [context] = await reader.verificationContexts([{ root, keyId: root, typeId: root }], { timeoutMs: options.timeoutMs });
      if (context.anchor.anchoredAt === 0) continue;
      const found = {
        receipt: parsed,
        department: { id: context.anchor.agencyId, slug: context.agency.slug, name: context.agency.name },
        anchoredAt: new Date(context.anchor.anchoredAt * 1000).toISOString(),
        registry: { chainId: reader.chainId, address: reader.address, name: reader.name },
      };
      if (parsed.time > context.anchor.anchoredAt + CLOCK_SKEW_SECONDS) return result("RECEIPT_TIME_AFTER_ANCHOR", found);
      return result(null, found);
    } catch (error) {
      if (!isCertchainError(error)) throw error;
      unreachable = true;
    }
  }
  return result(unreachable ? "CHAIN_UNREACHABLE" : "RECEIPT_ROOT_NOT_ANCHORED", { receipt: parsed });
}
