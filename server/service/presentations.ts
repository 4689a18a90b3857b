import { agencyIdOf, agencyIssuerUrl, buildMerkleTree, createVerifierAttestation, readHolderKey, type Hex, type PresentationAnchor } from "@certchain/sdk";
import { createOperatorClient } from "../chain/operator";
import { receiptOf } from "../chain/receipt";
import { revertNameOf } from "../chain/revert-name";
import { createPresentationService, type Department, type PresentationService } from "../consent/presentation-requests";
import type { WebhookPolicy } from "../consent/webhook-target";
import { createWebhookDispatcher, type WebhookDispatcher } from "../consent/webhooks";
import { anchorOf } from "../domain/certificate";
import type { Principal, RequestContext } from "../domain/principal";
import { apiError } from "../errors";
import { generateRequestSigningKey } from "../keys/request-key";
import { createPresentationStore, type StoredReceipt } from "../store/presentation-store";
import { requireAgency } from "./access";
import { ROOT_WRITES, type ServiceContext } from "./context";

/** What consented use needs beyond the service context. */
export interface PresentationOptions {
  webhooks?: WebhookPolicy & { retryDelaysMs?: readonly number[] };
}

/** A consent receipt as its department, a citizen or a supervisor reads it. */
export interface ReceiptView {
  leaf: Hex;
  receipt: StoredReceipt["receipt"];
  recorded_at: string;
  status: "anchored" | "pending";
  /** The proof to `root`, and where the root is anchored, once it is. */
  anchor: (StoredReceipt["anchor"] & { department: string }) | null;
}

const viewOf = (stored: StoredReceipt): ReceiptView => ({
  leaf: stored.leaf,
  receipt: stored.receipt,
  recorded_at: stored.recordedAt,
  status: stored.anchor ? "anchored" : "pending",
  anchor: stored.anchor ? { ...stored.anchor, department: stored.department } : null,
});

/** What an agency asks to vouch for a standalone verifier's requests (`certchain verifier --departments`). */
export interface VerifierAttestationRequest {
  /** The verifier's request-signing key (public JWK; `certchain verifier --print-request-key`). */
  request_key: unknown;
  /** The department's client identifier without its prefix: an http(s) URL of the verifier. */
  subject: string;
  /** The verifier's response_uri(s): the only places answers may be sent. */
  redirect_uris: string[];
  /** Seconds the attestation is valid. Default one year. */
  expires_in?: number;
}

const DEFAULT_ATTESTATION_SECONDS = 365 * 86_400;

/** Receipts of one anchoring: far more than a department's month, far less than a block's gas allows (one root). */
const MAX_RECEIPTS_PER_ANCHOR = 100_000;

/**
 * Consented use on the issuing node (issue 20): the agencies it serves ask citizens for
 * certificates through OpenID4VP (their token creates the request; each request object carries a
 * Verifier Attestation signed with the agency's registered key, so a wallet confirms the agency's
 * name on the registry), and anchor their consent receipts on the registry with their own
 * operator account, as a batch root of the agency.
 */
export function createPresentations(ctx: ServiceContext, options: PresentationOptions) {
  // Answers hold disclosed claims: sealed like certificates, a data key per record under the node's personal-data key.
  const store = createPresentationStore(ctx.db, ctx.personalData);
  const webhooks: WebhookDispatcher = createWebhookDispatcher({ ...options.webhooks });
  const requestKey = generateRequestSigningKey();
  const serves = (agency: string) => ctx.operatorFor(agency) !== undefined;
  const names = new Map<string, string>();

  async function departmentOf(principal: Principal): Promise<Department> {
    const agency = requireAgency(principal, serves).agency;
    let name = names.get(agency);
    if (name === undefined) {
      name = await ctx.registry.agency(agency).then((record) => (record.registered ? record.name : agency)).catch(() => agency);
      names.set(agency, name);
    }
    return { id: agency, name };
  }

  async function ownAnchor(leaf: Hex): Promise<PresentationAnchor | undefined> {
    const record = await ctx.certificates.getByLeaf(leaf);
    const anchor = record === undefined ? undefined : anchorOf(record);
    if (anchor?.status !== "anchored") return undefined;
    const { status: _status, ...proof } = anchor;
    return proof;
  }

  /** The agency's current signing key; an agency that never issued gets its first one registered now. */
  async function agencySigner(agency: string) {
    let signer = ctx.keys.activeSigner(agency) ?? (await ctx.keys.loadSigningKey(agency));
    if (!signer) signer = await ctx.chainLock(ROOT_WRITES, () => ctx.keys.ensureSigningKey(agency)).catch(() => undefined);
    if (!signer) throw apiError("DEPARTMENT_NOT_ATTESTABLE");
    return signer;
  }

  const presentations: PresentationService = createPresentationService({
    store,
    publicUrl: ctx.publicUrl,
    requestKey,
    async attest(department, responseUri, expiresAt) {
      // The agency's current key, registered on chain: the wallet finds it there by kid.
      const signer = await agencySigner(department.id);
      const subject = agencyIssuerUrl(ctx.publicUrl, department.id);
      return { subject, attestation: await createVerifierAttestation({ issuer: subject, subject, requestKey: requestKey.publicJwk, expiresAt, redirectUris: [responseUri], signer }) };
    },
    verifyOptions: () => ({
      registries: [ctx.registry.reader],
      minConfirmations: ctx.confirmations,
      registryTimeoutMs: ctx.timeoutMs,
      // The service fetches no URL it is handed: proofs come from the wallet or this node's store.
      fetch: async () => Promise.reject(new Error("the service fetches no URL")),
      types: { bundle: ctx.catalogue.versions().filter((entry) => !entry.builtIn).map((entry) => entry.type.metadataText) },
    }),
    ownAnchor,
    chainReady: () => ctx.gate.ready(),
    webhooks,
    webhookPolicy: options.webhooks ?? {},
    now: ctx.now,
  });

  return {
    presentations: {
      create: async (principal: Principal, body: Parameters<PresentationService["create"]>[1]) => presentations.create(await departmentOf(principal), body),
      get: async (principal: Principal, id: string) => presentations.get(await departmentOf(principal), id),
      requestObject: (id: string) => presentations.requestObject(id),
      respond: (form: Record<string, string>) => presentations.respond(form),
    },

    /**
     * A Verifier Attestation for a standalone verifier that asks on the calling agency's behalf:
     * signed with the agency's registered key, naming the verifier's request key and response_uri(s).
     * Wallets then show the agency's registered name for that verifier's requests.
     */
    async attestVerifier(principal: Principal, body: VerifierAttestationRequest) {
      const { id: agency } = await departmentOf(principal);
      const key = readHolderKey(body.request_key);
      if (!key.ok || key.key.jwk.kty !== "EC" || key.key.jwk.crv !== "P-256") throw apiError("VALIDATION_FAILED", "request_key must be a public P-256 JWK (ES256).", { path: "body/request_key", problem: key.ok ? "not P-256" : key.problem });
      const issuer = agencyIssuerUrl(ctx.publicUrl, agency);
      const expiresAt = Math.floor(ctx.now() / 1000) + (body.expires_in ?? DEFAULT_ATTESTATION_SECONDS);
      const attestation = await createVerifierAttestation({ issuer, subject: body.subject, requestKey: key.key.jwk, expiresAt, redirectUris: body.redirect_uris, signer: await agencySigner(agency) });
      return { attestation, client_id: `verifier_attestation:${body.subject}`, issuer, expires_at: new Date(expiresAt * 1000).toISOString() };
    },

    /** A receipt by leaf, with its proof once anchored: nothing personal (claim names, hashes, a time). */
    async consentReceipt(leaf: string): Promise<ReceiptView> {
      const stored = /^0x[0-9a-fA-F]{64}$/.test(leaf) ? await store.receiptByLeaf(leaf) : undefined;
      if (!stored) throw apiError("RECEIPT_NOT_FOUND");
      return viewOf(stored);
    },

    /** The calling agency's receipts, oldest first. */
    async consentReceipts(principal: Principal, options: { limit?: number } = {}): Promise<ReceiptView[]> {
      const { id } = await departmentOf(principal);
      return (await store.receiptsOf(id, { limit: options.limit })).map(viewOf);
    },

    /**
     * Anchors the calling agency's receipts not anchored yet as one Merkle root, from its operator
     * account (one registry transaction: the period is whatever was recorded since the last one).
     * A retry after a crash finds the same root already anchored and finishes.
     */
    async anchorConsentReceipts(principal: Principal, context: RequestContext) {
      const { id: agency } = await departmentOf(principal);
      const operator = ctx.operatorFor(agency)!;
      return ctx.chainLock(agency, async () => {
        const pending = await store.receiptsOf(agency, { unanchored: true, limit: MAX_RECEIPTS_PER_ANCHOR });
        if (pending.length === 0) throw apiError("RECEIPTS_NONE_TO_ANCHOR");
        const tree = buildMerkleTree(pending.map((r) => r.leaf));
        await ctx.gate.ready(0);
        let anchor = await ctx.registry.anchorOf(tree.root);
        if (!anchor) {
          try {
            await receiptOf(await createOperatorClient(ctx.registryAddress, operator).sendAnchorRoot(tree.root, tree.size, (await ctx.audit.head()).hash));
          } catch (error) {
            if (revertNameOf(error) !== "CertchainRootAlreadyAnchored") throw apiError("CHAIN_UNAVAILABLE", "The receipts' root could not be anchored now; try again later.");
          }
          anchor = await ctx.registry.anchorOf(tree.root);
        }
        if (!anchor || anchor.agencyId.toLowerCase() !== agencyIdOf(agency).toLowerCase()) throw apiError("CHAIN_UNAVAILABLE", "The receipts' root is not visible on the chain yet; try again.");
        const transaction = (await ctx.registry.anchoringTransaction(tree.root, anchor.blockNumber)) ?? (`0x${"00".repeat(32)}` as Hex);
        await ctx.gate.durable(anchor.blockNumber);
        const anchoredAt = new Date(anchor.anchoredAt * 1000).toISOString();
        const where = { chainId: ctx.chainId, registry: ctx.registryAddress, transaction, block: anchor.blockNumber, anchoredAt };
        await ctx.audit.append(
          [{ at: new Date(ctx.now()).toISOString(), actor: `agency:${agency}`, requestId: context.requestId, action: "receipts.anchor", subject: tree.root, data: { agency, size: tree.size, transaction, block: anchor.blockNumber } }],
          store.anchoredOps(pending.map((receipt) => ({ receipt, anchor: { root: tree.root, proof: tree.proofOf(receipt.leaf)!, ...where } }))),
        );
        return { root: tree.root, size: tree.size, transaction, block: anchor.blockNumber, anchored_at: anchoredAt, chain_id: ctx.chainId, registry: ctx.registryAddress };
      });
    },

    /** Stops webhook retries. */
    close: () => webhooks.close(),
  };
}

export type Presentations = ReturnType<typeof createPresentations>;
