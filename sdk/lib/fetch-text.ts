/** The part of `fetch` the SDK uses to read published documents (read as text, hashed or parsed as received). */
export type TextFetchLike = (input: string, init?: { headers?: Record<string, string>; signal?: AbortSignal }) => Promise<{
  ok: boolean;
  status: number;
  text(): Promise<string>;
}>;

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/;

/**
 * The URL if the verifier allows fetching it: https (http only on loopback, for development),
 * no credentials, and its `host` (with port) among `hosts`. Nothing is allowed by default.
 */
export function allowedUrl(value: string, hosts: readonly string[] | undefined): URL | undefined {
  if (!hosts || hosts.length === 0) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const secure = url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.test(url.host));
  return secure && !url.username && !url.password && hosts.includes(url.host) ? url : undefined;
}

/** A published document's text, or undefined when it cannot be had: no fetch, an error status, a timeout, or more than `maxChars`. */
export async function fetchText(url: string, options: { fetch?: TextFetchLike; timeoutMs?: number; accept: string; maxChars: number }): Promise<string | undefined> {
  const doFetch = options.fetch ?? (globalThis.fetch as unknown as TextFetchLike | undefined);
  if (!doFetch) return undefined;
  try {
    const timeout = typeof AbortSignal !== "undefined" && typeof AbortSignal.timeout === "function" ? AbortSignal.timeout(options.timeoutMs ?? 10_000) : undefined;
    const response = await doFetch(url, { headers: { accept: options.accept }, ...(timeout ? { signal: timeout } : {}) });
    if (!response.ok) return undefined;
    const text = await response.text();
    return text.length <= options.maxChars ? text : undefined;
  } catch {
    return undefined;
  }
}
