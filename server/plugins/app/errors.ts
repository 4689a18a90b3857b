import fp from "fastify-plugin";
import type { FastifyError, FastifyRequest } from "fastify";
import { isCertchainError } from "@certchain/sdk";
import { API_ERRORS, detailsList, statusOfCode, type ApiErrorCode } from "../../errors";

export interface FieldError {
  /** `<part>/<JSON pointer>`, e.g. `body/claims`, `querystring/limit`, `body/items/3/type`. */
  path: string;
  message: string;
}

interface AjvLikeError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Ajv errors as a field-level list; `required` and `additionalProperties` name the field itself. */
export function fieldErrorsOf(errors: readonly AjvLikeError[], part: string): FieldError[] {
  return errors.map((e) => {
    let path = `${part}${e.instancePath ?? ""}`;
    let message = e.message ?? "is invalid";
    if (e.keyword === "required" && typeof e.params?.missingProperty === "string") {
      path += `/${e.params.missingProperty}`;
      message = "is required";
    } else if (e.keyword === "additionalProperties" && typeof e.params?.additionalProperty === "string") {
      path += `/${e.params.additionalProperty}`;
      message = "is not allowed";
    } else if (e.keyword === "enum" && Array.isArray(e.params?.allowedValues)) {
      message = `must be one of ${e.params.allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    }
    return { path, message };
  });
}

const body = (code: ApiErrorCode | string, message: string, details?: unknown) => ({
  error: details === undefined ? { code, message } : { code, message, details: detailsList(details) },
});

// Fastify's own client-side failures, mapped onto our codes.
const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: "INVALID_JSON",
  FST_ERR_CTP_EMPTY_JSON_BODY: "INVALID_JSON",
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "BAD_REQUEST",
};

function isBatchTooLarge(error: FastifyError): boolean {
  return error.validationContext === "body" && (error.validation ?? []).some((e) => e.keyword === "maxItems" && e.instancePath === "/items");
}

/**
 * One error handler for the whole app (as fastify's lib/errors.js): every failure leaves as
 * `{ error: { code, message, details? } }` with the status of its code; the text of 5xx is
 * never shown, the error is logged instead.
 */
export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply) => {
      const certchain: unknown = error;
      if (isCertchainError(certchain)) {
        const status = statusOfCode(certchain.code);
        if (status >= 500) {
          request.log.error({ err: certchain }, "service failure");
          const code = certchain.code in API_ERRORS ? certchain.code : "INTERNAL";
          return reply.status(status).send(body(code, API_ERRORS[code as ApiErrorCode][1]));
        }
        return reply.status(status).send(body(certchain.code, certchain.message, certchain.details));
      }
      if (error.validation) {
        if (isBatchTooLarge(error)) return reply.status(413).send(body("BATCH_TOO_LARGE", API_ERRORS.BATCH_TOO_LARGE[1]));
        const details = fieldErrorsOf(error.validation, error.validationContext ?? "request");
        const part = error.validationContext ?? "request";
        const message = part === "body" ? API_ERRORS.VALIDATION_FAILED[1] : `The request ${part === "querystring" ? "query string" : part} does not match the schema.`;
        return reply.status(400).send(body("VALIDATION_FAILED", message, details));
      }
      const mapped = FASTIFY_CODES[error.code] ?? (error instanceof SyntaxError ? "INVALID_JSON" : undefined);
      if (mapped) return reply.status(API_ERRORS[mapped][0]).send(body(mapped, API_ERRORS[mapped][1]));
      const status = typeof error.statusCode === "number" ? error.statusCode : 500;
      if (status >= 400 && status < 500) {
        // Another client mistake fastify detected; its message is about the request, safe to show.
        const code: ApiErrorCode = status === 404 ? "NOT_FOUND" : status === 413 ? "PAYLOAD_TOO_LARGE" : status === 415 ? "UNSUPPORTED_MEDIA_TYPE" : "BAD_REQUEST";
        return reply.status(status).send(body(code, error.message || API_ERRORS[code][1]));
      }
      request.log.error({ err: error }, "unhandled error");
      return reply.status(500).send(body("INTERNAL", API_ERRORS.INTERNAL[1]));
    });

    app.setNotFoundHandler((request, reply) => {
      reply.status(404).send(body("NOT_FOUND", `No route ${request.method} ${request.url.split("?")[0].slice(0, 200)}.`));
    });
  },
  { name: "certchain-errors" },
);
