import Ajv from "ajv";
import addFormats from "ajv-formats";
import type { FastifyInstance } from "fastify";
import QRCode from "qrcode";
import { agencyIssuerUrl } from "@certchain/sdk";
import type { BatchItemResult, IssueRequest, StatusAction } from "../../../domain/certificate";
import { API_ERRORS } from "../../../errors";
import { fieldErrorsOf } from "../../../plugins/app/errors";
import {
  certificateIdParams,
  certificateSchema,
  envelopeSchema,
  errorResponses,
  errorSchema,
  issueHeaders,
  issueRequestExamples,
  issueRequestSchema,
  openObject,
} from "../../../schemas";
import { OFFER_LIFETIME_SECONDS, type OfferRequest } from "../../../service/credential-offers";
import { MAX_BATCH_ITEMS } from "../../../service/issuance";
import { issuerEndpoints } from "../../../service/oid4vci-metadata";
import { contextOf } from "../../request-context";
import { withPreferredWait } from "./prefer-wait";

/** One certificate's body is small; batches get the app-wide limit. */
const SINGLE_BODY_LIMIT = 256 * 1024;
const SMALL_BODY_LIMIT = 4 * 1024;

// Batch items are checked one by one, so one bad item fails alone instead of the whole batch.
const itemAjv = new Ajv({ allErrors: true, strict: false, coerceTypes: false });
addFormats(itemAjv);
const validateItem = itemAjv.compile(issueRequestSchema);

const batchResultSchema = {
  type: "object",
  properties: {
    index: { type: "integer" },
    ok: { type: "boolean" },
    id: { type: "string" },
    status: { type: "string" },
    envelope: envelopeSchema,
    error: errorSchema.properties.error,
  },
  required: ["index", "ok"],
} as const;

const STATUS_ACTIONS: { action: StatusAction; summary: string }[] = [
  { action: "revoke", summary: "Revoke a certificate (final)" },
  { action: "suspend", summary: "Suspend a certificate" },
  { action: "reinstate", summary: "Reinstate a suspended certificate" },
];

export default async function certificates(app: FastifyInstance): Promise<void> {
  app.post<{ Body: IssueRequest; Headers: { "idempotency-key"?: string } }>(
    "/",
    {
      bodyLimit: SINGLE_BODY_LIMIT,
      config: { auth: "any" },
      schema: {
        tags: ["certificates"],
        summary: "Issue one certificate",
        description:
          "Signs the certificate, stores it durably and queues it for anchoring. The envelope is `pending` until its batch is anchored (a pending envelope names this service: its proof is at GET /v1/proofs/<leaf>). With `Prefer: wait=<seconds>` the reply waits for the anchor and returns the anchored envelope.",
        headers: issueHeaders,
        body: issueRequestSchema,
        response: {
          201: {
            type: "object",
            description: "Issued and stored durably. `status` is `pending` (envelope without proof yet) or, after `Prefer: wait`, `anchored`.",
            properties: { id: { type: "string" }, status: { type: "string", enum: ["pending", "anchored"] }, envelope: envelopeSchema },
            required: ["id", "status", "envelope"],
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const issued = await app.service.issue(request.principal!, request.body, contextOf(request));
      const [record] = await withPreferredWait(app.service, request, reply, [issued]);
      return reply.status(201).send({ id: record.id, status: record.status, envelope: record.envelope });
    },
  );

  app.post<{ Body: { items: unknown[] }; Headers: { "idempotency-key"?: string } }>(
    "/batch",
    {
      config: { auth: "any" },
      schema: {
        tags: ["certificates"],
        summary: "Issue up to 10,000 certificates",
        description:
          "Each item is an issue request (as POST /v1/certificates). Items are validated and issued one by one: good items are issued even when others fail; results are in input order. `Prefer: wait=<seconds>` waits for every issued item's anchor.",
        headers: issueHeaders,
        body: {
          type: "object",
          properties: { items: { type: "array", minItems: 1, maxItems: MAX_BATCH_ITEMS, items: { type: "object", description: "An issue request: { type, claims, validFrom?, validUntil? }" } } },
          required: ["items"],
          additionalProperties: false,
          examples: [{ items: [issueRequestExamples["business-licence"].value, { ...issueRequestExamples["production-licence"].value, validUntil: "2031-12-31T23:59:59+08:00" }] }],
        },
        response: {
          200: {
            type: "object",
            description: "One result per item, in input order: `{ index, ok: true, id, status, envelope }` or `{ index, ok: false, error }`.",
            properties: { results: { type: "array", items: batchResultSchema }, issued: { type: "integer" }, failed: { type: "integer" } },
            required: ["results", "issued", "failed"],
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { items } = request.body;
      const results: unknown[] = new Array(items.length);
      const valid: IssueRequest[] = [];
      const indexOf: number[] = [];
      items.forEach((item, index) => {
        if (validateItem(item)) {
          valid.push(item as IssueRequest);
          indexOf.push(index);
        } else {
          const details = fieldErrorsOf(validateItem.errors ?? [], `body/items/${index}`);
          results[index] = { index, ok: false, error: { code: "VALIDATION_FAILED", message: API_ERRORS.VALIDATION_FAILED[1], details } };
        }
      });
      const issued: BatchItemResult[] = valid.length === 0 ? [] : await app.service.issueBatch(request.principal!, valid, contextOf(request));
      const good = issued.flatMap((r) => (r.ok ? [r.certificate] : []));
      const current = new Map((await withPreferredWait(app.service, request, reply, good)).map((r) => [r.id, r]));
      for (const result of issued) {
        const index = indexOf[result.index];
        const certificate = result.ok ? current.get(result.certificate.id)! : undefined;
        results[index] = certificate
          ? { index, ok: true, id: certificate.id, status: certificate.status, envelope: certificate.envelope }
          : { index, ok: false, error: (result as Extract<BatchItemResult, { ok: false }>).error };
      }
      const ok = issued.filter((r) => r.ok).length;
      return { results, issued: ok, failed: items.length - ok };
    },
  );

  app.post<{ Params: { id: string }; Body: OfferRequest | undefined }>(
    "/:id/offer",
    {
      bodyLimit: SMALL_BODY_LIMIT,
      config: { auth: "any" },
      schema: {
        tags: ["certificates", "collecting"],
        summary: "Offer a certificate for collection into a wallet (OpenID4VCI)",
        description:
          "A credential offer (OpenID4VCI 1.0, pre-authorized code flow) of one of the agency's certificates: single use, expiring (default 1 day), optionally with a 6-digit PIN (`tx_code: true`; the PIN is in the reply once, for the clerk to send another way; 5 wrong PINs lock the offer). Give the holder `link` or `qr` (our /wallet) or `offer_url` (any OpenID4VCI wallet). Redeeming it issues the certificate again bound to the wallet's key (same id, number, claims, validity; a leaf of its own, anchored like any new certificate; its status follows the certificate's). A revoked or suspended certificate is refused (409 CERT_NOT_OFFERABLE).",
        params: certificateIdParams,
        body: {
          type: ["object", "null"],
          properties: {
            tx_code: { type: "boolean", description: "Ask for a PIN (transaction code)." },
            expires_in: { type: "integer", minimum: OFFER_LIFETIME_SECONDS.min, maximum: OFFER_LIFETIME_SECONDS.max, description: "Seconds until the offer expires (default 86400)." },
          },
          additionalProperties: false,
          examples: [{ tx_code: true, expires_in: 3600 }],
        },
        response: {
          201: {
            type: "object",
            description: "The offer: by value (`credential_offer`), by reference (`credential_offer_uri`), as `offer_url` for other wallets, as `link` and its QR code (SVG) for this service's /wallet.",
            properties: {
              id: { type: "string" },
              credential_offer: openObject,
              credential_offer_uri: { type: "string" },
              offer_url: { type: "string", description: "openid-credential-offer://?credential_offer_uri=… : what an OpenID4VCI wallet scans or opens." },
              link: { type: "string", description: "<PUBLIC_URL>/wallet#credential_offer_uri=… : opens this service's wallet with the offer." },
              qr: { type: "string", description: "The QR code of `link`, as SVG markup." },
              expires_at: { type: "string" },
              tx_code: { type: "string", description: "The PIN, when asked for: shown only here." },
            },
            required: ["id", "credential_offer", "credential_offer_uri", "offer_url", "link", "qr", "expires_at"],
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const created = await app.service.createOffer(request.principal!, request.params.id, request.body ?? {}, contextOf(request));
      const uri = issuerEndpoints(agencyIssuerUrl(app.service.publicUrl, created.offer.agency)).offer(created.offer.id);
      const link = `${app.service.publicUrl}/wallet#credential_offer_uri=${encodeURIComponent(uri)}`;
      return reply
        .status(201)
        .header("cache-control", "no-store")
        .send({
          id: created.offer.id,
          credential_offer: created.credentialOffer,
          credential_offer_uri: uri,
          offer_url: `openid-credential-offer://?credential_offer_uri=${encodeURIComponent(uri)}`,
          link,
          qr: await QRCode.toString(link, { type: "svg", errorCorrectionLevel: "M", margin: 2 }),
          expires_at: created.offer.expiresAt,
          ...(created.txCode ? { tx_code: created.txCode } : {}),
        });
    },
  );

  app.get<{ Params: { id: string } }>(
    "/:id",
    {
      config: { auth: "any" },
      schema: {
        tags: ["certificates"],
        summary: "Look up a certificate of the caller's agency",
        params: certificateIdParams,
        response: { 200: certificateSchema, ...errorResponses },
      },
    },
    async (request) => app.service.get(request.principal!, request.params.id),
  );

  app.post<{ Params: { id: string } }>(
    "/:id/erase",
    {
      bodyLimit: SMALL_BODY_LIMIT,
      config: { auth: "any" },
      schema: {
        tags: ["admin"],
        summary: "Erase a certificate's personal data (root authority)",
        description:
          "The right to deletion (PIPL): the certificate's credential is crypto-shredded (its data key and ciphertext destroyed, no copy left on disk). Its id, leaf, anchor and status remain; the holder's file still verifies against the chain; the audit log records the erasure (certificate.erase). Reads of the certificate answer 410 CERT_ERASED from then on. Erasing again returns the same record.",
        params: certificateIdParams,
        response: { 200: certificateSchema, ...errorResponses },
      },
    },
    async (request) => app.service.erase(request.principal!, request.params.id, contextOf(request)),
  );

  for (const { action, summary } of STATUS_ACTIONS) {
    app.post<{ Params: { id: string }; Body: { reason: number } }>(
      `/:id/${action}`,
      {
        bodyLimit: SMALL_BODY_LIMIT,
        config: { auth: "any" },
        schema: {
          tags: ["certificates"],
          summary,
          description: "Recorded on chain by the agency's operator; only the agency that issued the certificate may change its status.",
          params: certificateIdParams,
          body: {
            type: "object",
            properties: { reason: { type: "integer", minimum: 0, maximum: 65535, description: "Reason code, recorded on chain (sdk/status/reasons.ts: 1 issued in error, 2 superseded, …)." } },
            required: ["reason"],
            additionalProperties: false,
            examples: [{ reason: 1 }],
          },
          response: { 200: certificateSchema, ...errorResponses },
        },
      },
      async (request) => app.service.changeStatus(request.principal!, request.params.id, action, request.body.reason, contextOf(request)),
    );
  }
}
