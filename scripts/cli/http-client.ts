/**
 * A small client of the certchain HTTP API over Node's fetch. Errors of the API
 * (`{ error: { code, message, details? } }`) become {@link ApiError}s carrying the code; requests
 * are retried only where a retry cannot issue twice: 429 (refused before any work), and network
 * failures or 502/503/504 of GETs and of requests carrying an Idempotency-Key.
 */
import { apiErrorText } from "./api-error-texts";

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  token?: string;
  /** Attempts for a retryable failure, first included. Default 6. */
  attempts?: number;
  timeoutMs?: number;
}

export interface RequestOptions {
  body?: unknown;
  idempotencyKey?: string;
  timeoutMs?: number;
  /** Sent as the `Prefer` header (RFC 7240), e.g. `wait=10`. */
  prefer?: string;
}

const RETRYABLE_STATUS = new Set([502, 503, 504]);
const NETWORK_ATTEMPTS = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function retryAfterMs(response: Response, attempt: number): number {
  const header = response.headers.get("retry-after");
  const seconds = header === null ? NaN : Number(header);
  // Capped: a wrong header must not park the CLI for an hour.
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 60_000);
  return Math.min(250 * 2 ** attempt, 10_000);
}

export function createApiClient(options: ApiClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const attempts = options.attempts ?? 6;

  async function request<T>(method: "GET" | "POST" | "PATCH", path: string, init: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (init.body !== undefined) headers["content-type"] = "application/json";
    if (init.idempotencyKey) headers["idempotency-key"] = init.idempotencyKey;
    if (init.prefer) headers.prefer = init.prefer;
    const safeToRepeat = method === "GET" || init.idempotencyKey !== undefined;
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);

    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(init.timeoutMs ?? options.timeoutMs ?? 120_000) });
      } catch (error) {
        // A refused connection rarely heals in seconds: a short retry covers a restarting service.
        if (safeToRepeat && attempt + 1 < Math.min(attempts, NETWORK_ATTEMPTS)) {
          await sleep(500 * 2 ** attempt);
          continue;
        }
        const reason = (error as { cause?: { code?: string; message?: string } }).cause;
        const cause = reason?.code ?? reason?.message ?? (error as Error).name;
        throw new ApiError("API_UNREACHABLE", `API_UNREACHABLE: ${apiErrorText("API_UNREACHABLE", "", { url: baseUrl, cause: String(cause) })}`, 0);
      }
      if ((response.status === 429 || (safeToRepeat && RETRYABLE_STATUS.has(response.status))) && attempt + 1 < attempts) {
        await response.arrayBuffer().catch(() => undefined);
        await sleep(retryAfterMs(response, attempt));
        continue;
      }
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text === "" ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (response.ok) return parsed as T;
      const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
      if (error && typeof error.code === "string") {
        const message = typeof error.message === "string" ? error.message : "request refused";
        throw new ApiError(error.code, `${error.code}: ${apiErrorText(error.code, message)}`, response.status, error.details);
      }
      throw new ApiError(`HTTP_${response.status}`, `HTTP ${response.status} from ${method} ${path}${text ? `: ${text.slice(0, 200)}` : ""}`, response.status);
    }
  }

  return {
    baseUrl,
    get: <T>(path: string, init?: RequestOptions) => request<T>("GET", path, init),
    post: <T>(path: string, init?: RequestOptions) => request<T>("POST", path, init),
    patch: <T>(path: string, init?: RequestOptions) => request<T>("PATCH", path, init),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** Field errors of a VALIDATION_FAILED / CLAIMS_INVALID reply, as one readable line. */
export function detailsLine(details: unknown): string {
  if (!Array.isArray(details)) return "";
  return details
    .slice(0, 5)
    .map((d: { path?: unknown; message?: unknown }) => `${typeof d?.path === "string" ? d.path : "?"} ${typeof d?.message === "string" ? d.message : ""}`.trim())
    .join("; ");
}

/** The message of an ApiError with its field-level details, for one stderr line. */
export function apiErrorLine(error: ApiError): string {
  const details = detailsLine(error.details);
  return details ? `${error.message} (${details})` : error.message;
}
