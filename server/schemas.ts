/**
 * JSON schemas of the HTTP API, shared by the routes: fastify validates requests with them,
 * serialises replies with them, and @fastify/swagger turns them into the OpenAPI document.
 * Request bodies are closed (additionalProperties: false) and validated without type coercion.
 */

import { certificateTypes } from "@certchain/sdk";

/**
 * `details` is always a list: field errors (`{ path, message }`, e.g. `body/claims/company_name`)
 * for VALIDATION_FAILED and CLAIMS_INVALID, one object with the facts of the refusal otherwise
 * (e.g. `{ limit, retryAfterMs }` for RATE_LIMITED).
 */
const errorDetailsSchema = {
  type: "array",
  description: "Field errors ({ path, message }) or the facts of the refusal; absent when there is nothing to add.",
  items: {
    type: "object",
    properties: {
      path: { type: "string", description: "`<part>/<JSON pointer>`, e.g. `body/claims/date_of_establishment`." },
      message: { type: "string" },
    },
    additionalProperties: true,
  },
} as const;

export const errorSchema = {
  type: "object",
  description: "Every error: a stable code, a message for people, and for some codes details (e.g. field errors).",
  properties: {
    error: {
      type: "object",
      properties: {
        code: { type: "string", description: "Stable machine code (server/errors.ts).", examples: ["VALIDATION_FAILED"] },
        message: { type: "string", description: "For people; may improve between versions." },
        details: errorDetailsSchema,
      },
      required: ["code", "message"],
    },
  },
  required: ["error"],
  examples: [
    { error: { code: "VALIDATION_FAILED", message: "The request body does not match the schema.", details: [{ path: "body/type", message: "is required" }] } },
    { error: { code: "CERT_NOT_FOUND", message: "No such certificate." } },
  ],
} as const;

/** The error replies every route may give, for the OpenAPI document (and the serialiser). */
export const errorResponses = {
  "4xx": { ...errorSchema, description: "A mistake of the caller (bad input, no or wrong token, not found, conflict, too many requests): `{ error: { code, message, details? } }`." },
  "5xx": { ...errorSchema, description: "A fault of the service or the chain (e.g. 503 CHAIN_UNAVAILABLE); the message never shows internals." },
} as const;

/** One example issue request per certificate type, with the claims from the type's own examples. */
export const issueRequestExamples = Object.fromEntries(
  certificateTypes.map((type) => [type.id, { summary: `${type.names["zh-CN"]} (${type.names.en})`, value: { type: type.id, claims: type.schema.examples[0] } }]),
);

const ISO_DATE_TIME = { type: "string", format: "date-time", maxLength: 64 } as const;

export const issueRequestSchema = {
  type: "object",
  properties: {
    type: { type: "string", minLength: 1, maxLength: 64, pattern: "^[a-z0-9]+(?:-[a-z0-9]+)*$", description: "Certificate type id (see GET /v1/types)", examples: ["business-licence"] },
    claims: { type: "object", description: "Subject claims; must fit the type's schema (GET /v1/types; 422 CLAIMS_INVALID otherwise)." },
    validFrom: { ...ISO_DATE_TIME, description: "Not valid before (ISO 8601)." },
    validUntil: { ...ISO_DATE_TIME, description: "Not valid after (ISO 8601)." },
  },
  required: ["type", "claims"],
  additionalProperties: false,
  "x-examples": issueRequestExamples,
} as const;

export const idempotencyHeaders = {
  type: "object",
  properties: {
    "idempotency-key": {
      type: "string",
      minLength: 1,
      maxLength: 128,
      pattern: "^[\\x20-\\x7E]+$",
      description: "A retried request with the same key returns the first reply instead of issuing again.",
    },
  },
} as const;

/** Headers of the issuing routes: Idempotency-Key and Prefer (RFC 7240 `wait`). */
export const issueHeaders = {
  type: "object",
  properties: {
    ...idempotencyHeaders.properties,
    prefer: {
      type: "string",
      maxLength: 4096,
      description:
        "RFC 7240. `wait=<seconds>` (at most 60): hold the reply until the certificates are anchored, then return the anchored envelopes with `Preference-Applied: wait=<seconds>`. If anchoring takes longer, the pending envelopes come back when the wait is over, without `Preference-Applied`.",
      examples: ["wait=10"],
    },
  },
} as const;

export const envelopeSchema = {
  type: "object",
  description: "The certificate file the holder keeps: the SD-JWT VC and its anchor proof (pending until anchored).",
  properties: {
    format: { type: "string" },
    version: { type: "integer" },
    credential: { type: "string" },
    anchor: { type: "object", additionalProperties: true },
  },
  additionalProperties: true,
} as const;

export const certificateSchema = {
  type: "object",
  description:
    "The certificate record: its state, and the envelope to hand to the holder (pending until anchored, then with its proof). Once its personal data is erased, `erasedAt` and `anchor` instead of the envelope.",
  properties: {
    id: { type: "string" },
    status: { type: "string", enum: ["pending", "anchored", "suspended", "revoked"] },
    agency: { type: "string" },
    type: { type: "string" },
    leaf: { type: "string" },
    createdAt: { type: "string" },
    anchoredAt: { type: "string" },
    statusReason: { type: "integer" },
    statusChange: {
      type: "object",
      description: "Present while the last status change (suspend, reinstate, revoke) is not settled on chain: its block not deep enough yet (CONFIRMATIONS / FINALITY), or a reorganisation dropped it and it is being sent again. `status` is the agency's decision; verifiers see the chain's state.",
      properties: { action: { type: "string", enum: ["revoke", "suspend", "reinstate"] }, transaction: { type: "string" }, sentAt: { type: "string" } },
      required: ["action", "sentAt"],
    },
    envelope: envelopeSchema,
    erasedAt: { type: "string", description: "When the certificate's personal data was erased (crypto-shredded)." },
    anchor: { type: "object", additionalProperties: true, description: "An erased certificate's anchor (the envelope's, without the credential)." },
  },
  required: ["id", "status"],
} as const;

export const certificateIdParams = {
  type: "object",
  properties: { id: { type: "string", minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9_-]+$" } },
  required: ["id"],
} as const;

/** Any JSON object, passed through unchanged by the serialiser (verdicts, readiness, type schemas). */
export const openObject = { type: "object", additionalProperties: true } as const;
