import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import fp from "fastify-plugin";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { isCertchainError } from "@certchain/sdk";
import { ownValue } from "@certchain/sdk/internal";
import { API_ERRORS, SHOWN_SERVICE_FAULTS, errorBody, isApiErrorCode, statusOfCode, type ApiErrorCode } from "../../errors";

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

const body = errorBody;

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

const PARTS: Record<string, string> = { body: "body", querystring: "query string", params: "path parameters", headers: "headers" };

/**
 * The reply to any error a route, hook or content-type parser throws (as fastify's lib/errors.js):
 * `{ error: { code, message, details? } }` with the status of its code; the text of 5xx is never
 * shown, the error is logged instead. Exported for plugins with an error handler of their own
 * (/rpc), so what they do not handle themselves leaves in the same shape.
 */
export function replyWithError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, code, message, details } = describeError(error, request);
  return reply.status(status).send(body(code, message, details));
}

/**
 * What `replyWithError` answers an error with: the status, the stable code, the message (fixed
 * for 5xx, which are logged here) and details. For routes whose specification gives errors
 * another shape (OAuth 2.0's `{ error, error_description }`, routes/oid4vci.ts).
 */
export function describeError(error: FastifyError, request: FastifyRequest): { status: number; code: string; message: string; details?: unknown } {
  const certchain: unknown = error;
  if (isCertchainError(certchain)) {
    const status = statusOfCode(certchain.code);
    if (status >= 500) {
      request.log.error({ err: certchain }, "service failure");
      const code = isApiErrorCode(certchain.code) ? certchain.code : "INTERNAL";
      if (SHOWN_SERVICE_FAULTS.has(code)) return { status, code, message: certchain.message, details: certchain.details };
      return { status, code, message: API_ERRORS[code][1] };
    }
    return { status, code: certchain.code, message: certchain.message, details: certchain.details };
  }
  if (error.validation) {
    if (isBatchTooLarge(error)) return { status: 413, code: "BATCH_TOO_LARGE", message: API_ERRORS.BATCH_TOO_LARGE[1] };
    const part = error.validationContext ?? "request";
    const details = fieldErrorsOf(error.validation, part);
    const message = part === "body" ? API_ERRORS.VALIDATION_FAILED[1] : `The request's ${ownValue(PARTS, part) ?? part} failed validation against the schema.`;
    return { status: 400, code: "VALIDATION_FAILED", message, details };
  }
  const mapped = ownValue(FASTIFY_CODES, error.code) ?? (error instanceof SyntaxError ? "INVALID_JSON" : undefined);
  if (mapped) return { status: API_ERRORS[mapped][0], code: mapped, message: API_ERRORS[mapped][1] };
  const status = typeof error.statusCode === "number" ? error.statusCode : 500;
  if (status >= 400 && status < 500) {
    // Another client mistake fastify detected; its message is about the request, safe to show.
    const code: ApiErrorCode = status === 404 ? "NOT_FOUND" : status === 413 ? "PAYLOAD_TOO_LARGE" : status === 415 ? "UNSUPPORTED_MEDIA_TYPE" : "BAD_REQUEST";
    return { status, code, message: error.message || API_ERRORS[code][1] };
  }
  request.log.error({ err: error }, "unhandled error");
  return { status: 500, code: "INTERNAL", message: API_ERRORS.INTERNAL[1] };
}

// Failures the router finds before any route or hook runs (fastify's `frameworkErrors` option).
const FRAMEWORK_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_BAD_URL: "URL_INVALID",
  FST_ERR_MAX_PARAM_LENGTH: "URI_TOO_LONG",
};

/** fastify's `frameworkErrors`: a malformed URL (`/v1/certificates/%zz`) or an overlong path segment. */
export function replyToFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  // The router answers before the app's hooks exist for this request, so the id is set here.
  reply.header("x-request-id", request.id);
  const code = ownValue(FRAMEWORK_CODES, error.code);
  if (code === undefined) {
    request.log.error({ err: error }, "router failure");
    reply.status(500).send(body("INTERNAL", API_ERRORS.INTERNAL[1]));
    return;
  }
  reply.status(API_ERRORS[code][0]).send(body(code, API_ERRORS[code][1]));
}

/** A complete HTTP/1.1 reply in our shape, for places with only a socket to write to. */
function rawReply(code: ApiErrorCode): string {
  const [status, message] = API_ERRORS[code];
  const text = JSON.stringify(body(code, message));
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`;
}

/**
 * fastify's `clientErrorHandler`: what Node's HTTP parser refuses before fastify sees a request
 * (431 for headers or a request line over 16 KiB, 408 for a request that does not arrive in
 * time, 400 for anything unparsable). As Node does, an answer is written only when no reply is
 * already under way on the connection; otherwise the connection is just closed.
 */
export function replyToClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy(error);
    return;
  }
  const code: ApiErrorCode = error.code === "HPE_HEADER_OVERFLOW" ? "HEADERS_TOO_LARGE" : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? "REQUEST_TIMEOUT" : "BAD_REQUEST";
  // Closed once the reply is flushed (destroying at once could drop it), or after 10 s at most.
  socket.setTimeout(10_000, () => socket.destroy());
  socket.end(rawReply(code), () => socket.destroy());
}

/**
 * Node answers an `Expect` other than 100-continue itself (417, empty body) unless the server
 * listens for it: this answers in our shape instead.
 */
export function replyToExpectation(_request: IncomingMessage, response: ServerResponse): void {
  const text = JSON.stringify(body("EXPECTATION_FAILED", API_ERRORS.EXPECTATION_FAILED[1]));
  response.writeHead(417, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), connection: "close" });
  response.end(text);
}

/** The app's error and not-found handlers: every failure of a route leaves in one shape. */
export default fp(
  async (app) => {
    app.setErrorHandler(replyWithError);
    app.setNotFoundHandler((request, reply) => {
      reply.status(404).send(body("NOT_FOUND", `No route ${request.method} ${request.url.split("?")[0].slice(0, 200)}.`));
    });
  },
  { name: "certchain-errors" },
);
