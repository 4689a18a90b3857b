import { anchorPendingEnvelope, credentialLeaf, parseEnvelope, verify as sdkVerify, type Envelope, type ShareReader, type VerificationResult } from "@certchain/sdk";
import { snapshotOrUnreadable } from "@certchain/sdk/internal";
import { anchorOf } from "../domain/certificate";
import { apiError } from "../errors";
import { withDeadline } from "./chain-call";
import type { ServiceContext } from "./context";
import type { IssuerMetadata } from "./issuer-metadata";

/**
 * What verifiers ask of the service: a verdict through the SDK (the same checks any department
 * runs, against the chain), an agency's keys for standard SD-JWT VC verifiers, and its published
 * Token Status List.
 */
export function createVerification(ctx: ServiceContext) {
  const { certificates, catalogue, gate } = ctx;

  /** A pending envelope this node issued, with its anchor from the store once anchored; else undefined. */
  async function anchoredFromStore(input: unknown): Promise<Envelope | undefined> {
    let envelope: Envelope;
    try {
      envelope = parseEnvelope(input);
    } catch {
      return undefined;
    }
    if (envelope.anchor.status !== "pending") return undefined;
    if (envelope.anchor.chainId !== ctx.chainId || envelope.anchor.registry.toLowerCase() !== ctx.registryAddress.toLowerCase()) return undefined;
    const record = await certificates.getByLeaf(credentialLeaf(envelope.credential));
    const anchor = record && anchorOf(record);
    if (anchor?.status !== "anchored") return undefined;
    return anchorPendingEnvelope(envelope, anchor);
  }

  return {
    async verify(given: unknown, shares?: { origin: string; read: ShareReader }): Promise<VerificationResult> {
      // Not while the chain is down, being rebuilt or not ours: a half-replayed chain would call good certificates invalid.
      await gate.ready();
      const options = {
        registries: [ctx.registry.reader],
        minConfirmations: ctx.confirmations,
        // Share links: only this service's own, read from its store (the route passes it).
        shareServices: shares ? [shares.origin] : [],
        readShare: shares?.read,
        // Belt and braces: the service fetches no URL it is handed (no proof services either).
        fetch: async () => Promise.reject(new Error("the service fetches no URL")),
        // The types this service knows come along as documents; the SDK still uses one only if the registry holds its hash.
        types: { bundle: catalogue.versions().filter((entry) => !entry.builtIn).map((entry) => entry.type.metadataText) },
      };
      // Verification reads the chain through the SDK; its deadline is ours.
      const check = (envelope: unknown) => withDeadline(sdkVerify(envelope, options), ctx.timeoutMs + 1_000);
      // Read once: the store lookup and the checks see the same plain copy.
      const input = snapshotOrUnreadable(given);
      // A pending envelope of ours is resolved from our own store: no HTTP to ourselves.
      const anchored = await anchoredFromStore(input).catch(() => undefined);
      const result = await check(anchored ?? input);
      if (result.reason?.code === "CHAIN_UNREACHABLE") throw apiError("CHAIN_UNAVAILABLE");
      if (anchored === undefined) return result;
      if (result.checks.some((c) => c.name === "anchor" && c.status === "passed")) return { ...result, envelope: anchored };
      // The store's anchor is not on the chain (a reorganisation dropped it; it is being sent again): the pending envelope's own verdict.
      return result.reason?.code === "ANCHOR_ROOT_NOT_FOUND" ? check(input) : result;
    },

    issuerMetadata: (agency: string): Promise<IssuerMetadata> => ctx.issuerMetadata.metadataOf(agency),

    statusListToken: (agency: string, list: number): Promise<string | undefined> => ctx.statusLists.token(agency, list),
  };
}
