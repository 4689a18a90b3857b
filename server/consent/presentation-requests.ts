import { createHash, randomBytes } from "node:crypto";
import QRCode from "qrcode";
import {
  consentReceiptLeaf,
  createRequestObject,
  isCertchainError,
  parseDcqlQuery,
  parseVpToken,
  processProof,
  verifyPresentation,
  type ConsentReceipt,
  type Hex,
  type PresentationAnchor,
  type PresentationVerificationResult,
  type VerifyPresentationOptions,
} from "@certchain/sdk";
import { API_ERRORS, apiError, type ApiErrorCode } from "../errors";
import type { RequestSigningKey } from "../keys/request-key";
import { createKeyedMutex } from "../lib/mutex";
import type { PresentationStore, StoredPresentationRequest } from "../store/presentation-store";
import { checkWebhookUrl, type WebhookPolicy } from "./webhook-target";
import type { WebhookDispatcher } from "./webhooks";

/** Who asks: an agency this node serves (issuing service) or a configured department (verifier service). */
export interface Department {
  id: string;
  /** The name the request gives when the department states none (`client_metadata.client_name`). */
  name: string;
}

/** What a department sends to create a request (the route has checked the types). */
export interface CreatePresentationRequest {
  dcql_query: unknown;
  purpose: string;
  client_name?: string;
  webhook?: string;
  /** Seconds the request stays answerable. Default 600. */
  expires_in?: number;
}

/** The answer to a department creating a request. */
export interface CreatedPresentationRequest {
  id: string;
  client_id: string;
  request_uri: string;
  /** Opens this service's wallet with the request (https). */
  link: string;
  /** The same request for other wallets (`openid4vp://`, OpenID4VP 1.0 §5.10 by reference). */
  openid4vp_uri: string;
  /** `link` as a QR code (SVG data URL). */
  qr: string;
  expires_at: string;
  /** Signs the pushes to `webhook` (HMAC-SHA256, see the `certchain-signature` header): shown this once. */
  webhook_secret?: string;
}

/** A presentation request as its department reads it (GET). */
export interface PresentationRequestView {
  id: string;
  status: "pending" | "answered" | "declined" | "expired";
  client_id: string;
  purpose: string;
  dcql_query: unknown;
  created_at: string;
  expires_at: string;
  answered_at: string | null;
  result: DepartmentResult | { error: string; error_description: string | null } | null;
}

/** What a department learns from an accepted answer: verdicts, only what was disclosed, the holder binding, the receipt. */
export interface DepartmentResult {
  verdict: PresentationVerificationResult["verdict"];
  reason: PresentationVerificationResult["reason"];
  credentials: {
    query: string | null;
    verdict: PresentationVerificationResult["verdict"];
    reason: PresentationVerificationResult["reason"];
    certificate: { number: string; vct: string; type: { id: string; names: { "zh-CN": string; en: string } } | null; valid_from: string | null; valid_until: string | null } | null;
    issuer: { slug: string; name: string } | null;
    anchored_at: string | null;
    registry: { name: string; chain_id: number; address: Hex } | null;
    status: { state: string; reason: number; since: string | null } | null;
    /** The disclosed claims (of a valid credential only). */
    claims: Record<string, unknown>;
    /** The claim path of every disclosure presented. */
    disclosed: (string | number)[][];
    holder_binding: { required: boolean; checked: boolean; key_thumbprint: string | null; key_binding_digest: Hex | null };
  }[];
  receipt: ConsentReceipt | null;
  receipt_leaf: Hex | null;
}

/** The direct_post endpoint's reply: 200 `{}` or an OAuth-style error with our stable code. */
export interface ResponseOutcome {
  status: number;
  body: Record<string, unknown>;
}

export interface PresentationServiceOptions {
  store: PresentationStore;
  /** Where wallets reach this service (request_uri, response_uri, links). */
  publicUrl: string;
  requestKey: RequestSigningKey;
  /** The department's client identifier (without prefix) and a fresh Verifier Attestation for the request key. @throws DEPARTMENT_NOT_ATTESTABLE */
  attest(department: Department, responseUri: string, expiresAt: number): Promise<{ subject: string; attestation: string }>;
  /** What every answer is verified against (registries and the rest of `verify`'s options). */
  verifyOptions(): Omit<VerifyPresentationOptions, "nonce" | "audience" | "dcqlQuery" | "anchors" | "requestObject">;
  /** The anchor proof of a certificate this service itself holds, by leaf. */
  ownAnchor?(leaf: Hex): Promise<PresentationAnchor | undefined>;
  /** Waits until the chain may be read (the issuing node's gate). */
  chainReady?(): Promise<void>;
  webhooks: WebhookDispatcher;
  webhookPolicy: WebhookPolicy;
  now?: () => number;
}

export const DEFAULT_REQUEST_TTL_SECONDS = 600;
export const MAX_REQUEST_TTL_SECONDS = 86_400;
/** A Verifier Attestation outlives the request it comes with by this much, so a slow wallet still checks it. */
const ATTESTATION_MARGIN_SECONDS = 300;
/** Verdicts that say something true about a genuine certificate: such an answer is the department's to read. */
const ACCEPTED = new Set(["valid", "revoked", "suspended", "expired"]);
const ERROR_TOKEN = /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/;

const random = () => randomBytes(16).toString("base64url");
const iso = (ms: number) => new Date(ms).toISOString();

/** The key-binding JWTs of a vp_token (SHA-256 hex), read before verification: a used one is a replay. */
function keyBindingDigests(vpToken: string): string[] {
  const entries = parseVpToken(vpToken) ?? [];
  const digests: string[] = [];
  for (const { presentation } of entries) {
    let text: unknown = presentation;
    if (typeof presentation === "object" && presentation !== null) text = (presentation as { credential?: unknown }).credential;
    if (typeof text !== "string") continue;
    const kb = text.slice(text.lastIndexOf("~") + 1);
    if (kb.length > 0 && text.includes("~")) digests.push(`0x${createHash("sha256").update(kb).digest("hex")}`);
  }
  return digests;
}

/** Anchor proofs our wallet sends along (`certchain_anchors`): a JSON array of envelope anchors. */
function walletAnchors(text: string | undefined): PresentationAnchor[] {
  if (text === undefined || text.length > 256 * 1024) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? (value.slice(0, 32).filter((a) => typeof a === "object" && a !== null) as PresentationAnchor[]) : [];
  } catch {
    return [];
  }
}

function departmentResultOf(result: PresentationVerificationResult): DepartmentResult {
  return {
    verdict: result.verdict,
    reason: result.reason,
    credentials: result.credentials.map((c) => ({
      query: c.queryId,
      verdict: c.verdict,
      reason: c.reason,
      certificate: c.certificate
        ? {
            number: c.certificate.number,
            vct: c.certificate.vct,
            type: c.certificate.type ? { id: c.certificate.type.id, names: c.certificate.type.names } : null,
            valid_from: c.certificate.validFrom,
            valid_until: c.certificate.validUntil,
          }
        : null,
      issuer: c.issuer ? { slug: c.issuer.slug, name: c.issuer.name } : null,
      anchored_at: c.anchoredAt,
      registry: c.registry ? { name: c.registry.name, chain_id: c.registry.chainId, address: c.registry.address } : null,
      status: c.status,
      claims: c.verdict === "valid" ? c.claims : {},
      disclosed: c.disclosed,
      holder_binding: {
        required: c.holderBinding.required,
        checked: c.holderBinding.checked,
        key_thumbprint: c.holderBinding.holderKey?.thumbprint ?? null,
        key_binding_digest: c.holderBinding.keyBinding?.digest ?? null,
      },
    })),
    receipt: result.receipt,
    receipt_leaf: result.receipt ? consentReceiptLeaf(result.receipt) : null,
  };
}

/**
 * Department requests by OpenID4VP 1.0 (DCQL, signed request objects by reference, direct_post
 * answers) and what they leave behind: the department's result and consent receipt. Used by the
 * issuing service's verify API and by the standalone verifier alike; they differ only in who a
 * department is and who vouches for it (`attest`).
 *
 * A request is answered once: the first answer that verifies as a genuine certificate
 * (`valid`, or `revoked`/`suspended`/`expired`, which the department should know) closes it; an
 * answer that does not verify for this request (replayed, another nonce or audience, not what
 * was asked, forged, or its anchor unknown) is refused with the SDK's code and leaves the request
 * open, so nobody holding the link can spoil it. A key-binding JWT accepted once is refused
 * everywhere after (`PRESENTATION_REPLAYED`).
 */
export function createPresentationService(options: PresentationServiceOptions) {
  const { store, requestKey, webhooks } = options;
  const now = options.now ?? Date.now;
  const publicUrl = options.publicUrl.replace(/\/+$/, "");
  const responseUri = `${publicUrl}/v1/presentation-responses`;
  const requestUriOf = (id: string) => `${publicUrl}/v1/presentation-requests/${id}/request-object`;
  const linkParams = (record: { clientId: string; id: string }) => new URLSearchParams({ client_id: record.clientId, request_uri: requestUriOf(record.id) }).toString();
  const lock = createKeyedMutex();
  const commit = createKeyedMutex();

  const isExpired = (record: StoredPresentationRequest) => record.status === "pending" && Date.parse(record.expiresAt) <= now();

  function viewOf(record: StoredPresentationRequest): PresentationRequestView {
    const status = isExpired(record) ? "expired" : record.status;
    let result: PresentationRequestView["result"] = null;
    if (record.status === "answered") result = store.resultOf(record) as DepartmentResult;
    if (record.status === "declined") result = { error: record.declined!.error, error_description: record.declined!.description ?? null };
    return {
      id: record.id,
      status,
      client_id: record.clientId,
      purpose: record.purpose,
      dcql_query: record.dcqlQuery,
      created_at: record.createdAt,
      expires_at: record.expiresAt,
      answered_at: record.answeredAt ?? null,
      result,
    };
  }

  function push(record: StoredPresentationRequest): void {
    const secret = store.webhookSecretOf(record);
    if (!record.webhook || secret === undefined) return;
    webhooks.deliver({ url: record.webhook.url, secret, requestId: record.id, body: viewOf(record) });
  }

  const refusal = (code: ApiErrorCode | string, message: string, status = 400, error = "invalid_request"): ResponseOutcome => ({ status, body: { error, error_description: message, code } });
  const tableRefusal = (code: ApiErrorCode, error = "invalid_request"): ResponseOutcome => refusal(code, API_ERRORS[code][1], API_ERRORS[code][0], error);

  async function anchorsFor(vpAnchors: PresentationAnchor[]) {
    return async (leaf: Hex): Promise<PresentationAnchor | undefined> => {
      for (const anchor of vpAnchors) {
        try {
          if (Array.isArray(anchor.proof) && typeof anchor.root === "string" && processProof(leaf, anchor.proof) === anchor.root.toLowerCase()) return anchor;
        } catch {
          // a malformed proof is one candidate fewer
        }
      }
      return options.ownAnchor?.(leaf);
    };
  }

  async function answer(record: StoredPresentationRequest, form: Record<string, string>): Promise<ResponseOutcome> {
    const vpToken = form.vp_token;
    if (typeof vpToken !== "string" || vpToken.length === 0) return tableRefusal("RESPONSE_INVALID");
    const digests = keyBindingDigests(vpToken);
    if ((await store.usedKeyBindings(digests)).length > 0) return tableRefusal("PRESENTATION_REPLAYED");
    await options.chainReady?.();
    const result = await verifyPresentation(vpToken, {
      ...options.verifyOptions(),
      nonce: record.nonce,
      audience: record.clientId,
      dcqlQuery: record.dcqlQuery,
      anchors: await anchorsFor(walletAnchors(form.certchain_anchors)),
      requestObject: record.requestObject,
    });
    if (result.reason?.code === "CHAIN_UNREACHABLE") return refusal("CHAIN_UNAVAILABLE", API_ERRORS.CHAIN_UNAVAILABLE[1], 503, "temporarily_unavailable");
    if (!ACCEPTED.has(result.verdict) || result.credentials.length === 0) {
      const reason = result.reason ?? { code: "PRESENTATION_REJECTED", message: API_ERRORS.PRESENTATION_REJECTED[1] };
      return refusal(reason.code, reason.message);
    }
    const used = result.credentials.flatMap((c) => (c.holderBinding.keyBinding ? [c.holderBinding.keyBinding.digest] : []));
    const receipt = result.receipt ? { leaf: consentReceiptLeaf(result.receipt), receipt: result.receipt } : null;
    // The replay check again, with the write: no two requests accept one key-binding JWT.
    return commit("answers", async () => {
      if ((await store.usedKeyBindings([...digests, ...used])).length > 0) return tableRefusal("PRESENTATION_REPLAYED");
      const answered = await store.answer(record, departmentResultOf(result), [...new Set([...digests, ...used])], receipt, iso(now()));
      push(answered);
      return { status: 200, body: {} };
    });
  }

  return {
    responseUri,

    /** A new request of `department`: signed request object stored, links returned. @throws PRESENTATION_QUERY_INVALID, WEBHOOK_URL_NOT_ALLOWED, DEPARTMENT_NOT_ATTESTABLE */
    async create(department: Department, body: CreatePresentationRequest): Promise<CreatedPresentationRequest> {
      try {
        parseDcqlQuery(body.dcql_query);
      } catch (error) {
        throw apiError("PRESENTATION_QUERY_INVALID", isCertchainError(error) ? error.message : undefined);
      }
      if (body.webhook !== undefined) {
        const problem = await checkWebhookUrl(body.webhook, options.webhookPolicy);
        if (problem) throw apiError("WEBHOOK_URL_NOT_ALLOWED", undefined, { path: "body/webhook", problem });
      }
      const ttl = Math.min(Math.max(body.expires_in ?? DEFAULT_REQUEST_TTL_SECONDS, 60), MAX_REQUEST_TTL_SECONDS);
      const createdMs = now();
      const expiresAt = Math.floor(createdMs / 1000) + ttl;
      const { subject, attestation } = await options.attest(department, responseUri, expiresAt + ATTESTATION_MARGIN_SECONDS);
      const id = random();
      const state = random();
      const nonce = random();
      const clientName = body.client_name ?? department.name;
      const requestObject = await createRequestObject({
        attestation,
        subject,
        responseUri,
        nonce,
        state,
        dcqlQuery: body.dcql_query,
        purpose: body.purpose,
        clientMetadata: {
          client_name: clientName,
          vp_formats_supported: { "dc+sd-jwt": { "sd-jwt_alg_values": ["EdDSA", "ES256", "SM2"], "kb-jwt_alg_values": ["ES256", "EdDSA", "SM2"] } },
        },
        issuedAt: Math.floor(createdMs / 1000),
        expiresAt,
        signer: requestKey,
      });
      const webhookSecret = body.webhook !== undefined ? randomBytes(32).toString("base64url") : undefined;
      const record = await store.create(
        {
          id,
          department: department.id,
          clientId: `verifier_attestation:${subject}`,
          nonce,
          state,
          responseUri,
          dcqlQuery: body.dcql_query,
          purpose: body.purpose,
          ...(body.client_name !== undefined ? { clientName: body.client_name } : {}),
          requestObject,
          createdAt: iso(createdMs),
          expiresAt: iso(expiresAt * 1000),
          status: "pending",
        },
        body.webhook !== undefined ? { url: body.webhook, secret: webhookSecret! } : undefined,
      );
      const params = linkParams(record);
      const link = `${publicUrl}/wallet?${params}`;
      return {
        id,
        client_id: record.clientId,
        request_uri: requestUriOf(id),
        link,
        openid4vp_uri: `openid4vp://?${params}`,
        qr: `data:image/svg+xml;base64,${Buffer.from(await QRCode.toString(link, { type: "svg", errorCorrectionLevel: "M", margin: 2 })).toString("base64")}`,
        expires_at: record.expiresAt,
        ...(webhookSecret !== undefined ? { webhook_secret: webhookSecret } : {}),
      };
    },

    /** The request object exactly as signed, for a wallet (no token). @throws PRESENTATION_REQUEST_NOT_FOUND, _EXPIRED, _CLOSED */
    async requestObject(id: string): Promise<string> {
      const record = await store.get(id);
      if (!record) throw apiError("PRESENTATION_REQUEST_NOT_FOUND");
      if (isExpired(record)) throw apiError("PRESENTATION_REQUEST_EXPIRED");
      if (record.status !== "pending") throw apiError("PRESENTATION_REQUEST_CLOSED");
      return record.requestObject;
    },

    /** The department's own request (another department's is not found). */
    async get(department: Department, id: string): Promise<PresentationRequestView> {
      const record = await store.get(id);
      if (!record || record.department !== department.id) throw apiError("PRESENTATION_REQUEST_NOT_FOUND");
      return viewOf(record);
    },

    /**
     * A wallet's direct_post to the response URI (form fields): an answer (`vp_token`, `state`,
     * optionally `certchain_anchors`) or a refusal (`error`, `error_description`, `state`).
     */
    async respond(form: Record<string, string>): Promise<ResponseOutcome> {
      const state = form.state;
      if (typeof state !== "string" || state.length === 0 || state.length > 512) return tableRefusal("RESPONSE_INVALID");
      const found = await store.byState(state);
      if (!found) return tableRefusal("PRESENTATION_REQUEST_NOT_FOUND");
      return lock(found.id, async () => {
        const record = (await store.get(found.id))!;
        if (record.status !== "pending") return tableRefusal("PRESENTATION_REQUEST_CLOSED");
        if (isExpired(record)) return tableRefusal("PRESENTATION_REQUEST_EXPIRED");
        if (form.error !== undefined) {
          if (!ERROR_TOKEN.test(form.error) || (form.error_description !== undefined && form.error_description.length > 1000)) return tableRefusal("RESPONSE_INVALID");
          const declined = await store.decline(record, { error: form.error, ...(form.error_description ? { description: form.error_description } : {}) }, iso(now()));
          push(declined);
          return { status: 200, body: {} };
        }
        return answer(record, form);
      });
    },
  };
}

export type PresentationService = ReturnType<typeof createPresentationService>;
