import { createHmac } from "node:crypto";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { isBlockedAddress, type WebhookPolicy } from "./webhook-target";

/** The header that carries a push's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const WEBHOOK_SIGNATURE_HEADER = "certchain-signature";

export interface WebhookDelivery {
  url: string;
  /** The request's own secret (given to the department once, when it created the request). */
  secret: string;
  /** Sent as `certchain-request-id`, so a receiver can drop a push it already has. */
  requestId: string;
  body: unknown;
}

export interface WebhookDispatcherOptions extends WebhookPolicy {
  /** Waits before each retry, in ms. Default 1 s, 5 s, 30 s, 2 min, 10 min: six attempts in all. */
  retryDelaysMs?: readonly number[];
  /** Each attempt must be answered within this long. Default 10 s. */
  timeoutMs?: number;
  now?: () => number;
  log?: { warn(object: object, message: string): void; info?(object: object, message: string): void };
}

/** `t=…,v1=…`: what a department recomputes with its secret to know a push is ours and fresh. */
export function webhookSignature(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex")}`;
}

/** A DNS lookup that refuses to connect to a blocked address, whatever the name said when the request was made (DNS rebinding). */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 0);
    const list = addresses as LookupAddress[];
    const allowed = list.filter((entry) => !isBlockedAddress(entry.address));
    if (allowed.length === 0) return callback(Object.assign(new Error(`${hostname} resolves only to addresses a webhook may not reach`), { code: "EWEBHOOKBLOCKED" }), "", 0);
    if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
    callback(null, allowed[0].address, allowed[0].family);
  });
};

/**
 * Pushes a department's result to its webhook: a JSON POST signed with the request's secret,
 * retried with growing waits until a 2xx answer or the attempts run out. It never holds up the
 * answer it reports (deliveries run in the background), and it never reaches a private address
 * unless the policy allows it: an IP literal is checked before connecting, a name on the
 * address it resolves to at connection time. Pending deliveries live in memory: after a restart
 * the department reads the result with GET, as it always can.
 */
export function createWebhookDispatcher(options: WebhookDispatcherOptions = {}) {
  const delays = options.retryDelaysMs ?? [1_000, 5_000, 30_000, 120_000, 600_000];
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  function attempt(delivery: WebhookDelivery): Promise<number> {
    const url = new URL(delivery.url);
    const body = JSON.stringify(delivery.body);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (!options.allowPrivate && /^[\d.]+$|:/.test(host) && isBlockedAddress(host)) return Promise.reject(new Error(`${host} is an address a webhook may not reach`));
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send(
        url,
        {
          method: "POST",
          timeout: timeoutMs,
          ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            "user-agent": "certchain-webhook/1",
            "certchain-request-id": delivery.requestId,
            [WEBHOOK_SIGNATURE_HEADER]: webhookSignature(delivery.secret, body, Math.floor(now() / 1000)),
          },
        },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
          response.on("error", reject);
        },
      );
      request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      request.on("error", reject);
      request.end(body);
    });
  }

  function run(delivery: WebhookDelivery, index: number): void {
    if (closed) return;
    const work = attempt(delivery).then(
      (status) => (status >= 200 && status < 300 ? undefined : `HTTP ${status}`),
      (error: Error) => error.message,
    );
    inFlight.add(work);
    void work.then((failure) => {
      inFlight.delete(work);
      if (failure === undefined) {
        options.log?.info?.({ requestId: delivery.requestId, attempt: index + 1 }, "webhook delivered");
        return;
      }
      const wait = delays[index];
      options.log?.warn({ requestId: delivery.requestId, attempt: index + 1, failure, retryInMs: wait ?? null }, wait === undefined ? "webhook not delivered; giving up" : "webhook not delivered; retrying");
      if (wait === undefined || closed) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        run(delivery, index + 1);
      }, wait);
      timer.unref();
      timers.add(timer);
    });
  }

  return {
    /** Starts delivering in the background; returns at once. */
    deliver(delivery: WebhookDelivery): void {
      run(delivery, 0);
    },
    /** Stops retrying and waits for attempts on the wire. */
    async close(): Promise<void> {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;
