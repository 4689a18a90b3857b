import type { FastifyInstance } from "fastify";
import { notarisationReceipt } from "@certchain/sdk";
import { apiError } from "../../errors";
import { envelopeSchema, errorResponses, issueHeaders } from "../../schemas";
import { withPreferredWait } from "./certificates/prefer-wait";
import type { IssuingService } from "../../service/issuing-service";
import { contextOf } from "../request-context";

export interface NotarisationRoutesOptions {
  /** Default: the app's `service` decoration (server/plugins/app/service.ts). */
  service?: IssuingService;
}

export interface NotariseBody {
  digest: string;
  parties?: string[];
  size?: number;
  title?: string;
  notes?: string;
}

/**
 * Only a digest and a few lines of metadata are ever sent, never the document: a small limit
 * turns an attempt to upload the file itself into a clear 413 instead of a slow request.
 */
export const NOTARISATION_BODY_LIMIT = 16 * 1024;

// The claim schemas of the notarisation type, so the request is refused with field-level detail
// by the same rules the service will apply (digest pattern, lengths, party count).
const claim = notarisationReceipt.schema.properties;

export const notariseBodySchema = {
  type: "object",
  properties: {
    digest: { ...claim.document_digest, description: "SHA-256 of the document, 64 lowercase hex digits, computed on the holder's side." },
    parties: { ...claim.parties, description: "The parties to the document, as printed." },
    size: { ...claim.document_size, description: "Size of the document in bytes." },
    title: { ...claim.title, description: "The document's title." },
    notes: { ...claim.notes, description: "The notary's notes." },
  },
  // Only the digest is required: title, parties, notes and size are optional metadata.
  required: ["digest"],
  additionalProperties: false,
  examples: [
    {
      digest: "9f2c5b0e8d7a6c4b3a29180f7e6d5c4b3a2918f7e6d5c4b3a29180f7e6d5c4b3",
      title: "房屋租赁合同",
      parties: ["上海青禾数字科技有限公司", "陈嘉树"],
      size: 48213,
    },
  ],
} as const;

/**
 * `POST /v1/notarisations` (register with `prefix: "/v1/notarisations"`): a notary office's token
 * turns a document digest into a notarisation receipt, a certificate of the
 * `notarisation-receipt` type anchored like any other. Agencies not accredited for that type are
 * refused by the service (403 CERT_TYPE_NOT_ACCREDITED) before anything is written.
 *
 * @example
 * await app.register(notarisationRoutes, { prefix: "/v1/notarisations", service });
 */
export async function notarisationRoutes(app: FastifyInstance, options: NotarisationRoutesOptions = {}): Promise<void> {
  const service = (): IssuingService => options.service ?? app.service;

  app.post<{ Body: NotariseBody; Headers: { "idempotency-key"?: string } }>(
    "/",
    {
      bodyLimit: NOTARISATION_BODY_LIMIT,
      config: { auth: "any" },
      schema: {
        tags: ["notarisation"],
        summary: "Notarise a document digest",
        description:
          "Issues a notarisation receipt (type `notarisation-receipt`) for a document the caller hashed itself; the document never reaches the service. Only notary offices accredited for the type may call it. The envelope is `pending` until its batch is anchored: send `Prefer: wait=<seconds>` to get the anchored receipt in the reply, or poll GET /v1/certificates/:id.",
        headers: issueHeaders,
        body: notariseBodySchema,
        response: {
          201: {
            type: "object",
            description: "The notarisation receipt (a certificate of type notarisation-receipt): pending, or anchored after `Prefer: wait`.",
            properties: { id: { type: "string" }, status: { type: "string", enum: ["pending", "anchored"] }, envelope: envelopeSchema },
            required: ["id", "status", "envelope"],
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      // Set by the auth plugin's route hook (config.auth); refuse rather than trust its absence.
      if (!request.principal) throw apiError("AUTH_MISSING");
      const { digest, parties, size, title, notes } = request.body;
      const claims: Record<string, unknown> = {
        document_digest: digest,
        digest_algorithm: "sha-256",
        ...(title === undefined ? {} : { title }),
        ...(parties === undefined ? {} : { parties }),
        ...(size === undefined ? {} : { document_size: size }),
        ...(notes === undefined ? {} : { notes }),
      };
      const issued = await service().issue(request.principal, { type: notarisationReceipt.id, claims }, contextOf(request));
      const [record] = await withPreferredWait(service(), request, reply, [issued]);
      return reply.status(201).send({ id: record.id, status: record.status, envelope: record.envelope });
    },
  );
}

export default notarisationRoutes;
