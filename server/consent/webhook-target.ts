import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * Where a department's webhook may point. A service that POSTs to URLs its callers choose must
 * not become a way into the network it runs in (SSRF): only http(s), no credentials in the URL,
 * and no address that is private, loopback, link-local (cloud metadata), shared, multicast or
 * reserved — checked on the name's every address when the request is made, and again on the
 * address actually connected to when it is delivered (a name can change its answer in between).
 */
export interface WebhookPolicy {
  /** Allow private and loopback addresses (a department's system on the same network). Default false. */
  allowPrivate?: boolean;
}

const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  BLOCKED.addSubnet(network, prefix, "ipv6");
}

/** Whether an IP address (v4, v6, v4-mapped v6) is one a webhook must not reach. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return BLOCKED.check(address, family === 6 ? "ipv6" : "ipv4");
}

export type WebhookUrlProblem = "not-http" | "credentials" | "private-address" | "unresolvable";

/** The URL's shape: http(s), no user or password, at most 2,048 characters. */
export function webhookUrlProblem(value: string): WebhookUrlProblem | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "not-http";
  }
  if (value.length > 2048 || (url.protocol !== "http:" && url.protocol !== "https:")) return "not-http";
  if (url.username !== "" || url.password !== "") return "credentials";
  return undefined;
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, "");

/** Every address the URL's host stands for (the literal itself for an IP). @throws Error when the name does not resolve. */
export async function addressesOf(url: URL): Promise<string[]> {
  const host = hostOf(url);
  if (isIP(host)) return [host];
  return (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
}

/** Checks a webhook URL now: its shape, then (unless allowed) that none of its addresses is private. */
export async function checkWebhookUrl(value: string, policy: WebhookPolicy): Promise<WebhookUrlProblem | undefined> {
  const shape = webhookUrlProblem(value);
  if (shape) return shape;
  if (policy.allowPrivate) return undefined;
  let addresses: string[];
  try {
    addresses = await addressesOf(new URL(value));
  } catch {
    return "unresolvable";
  }
  return addresses.length === 0 || addresses.some(isBlockedAddress) ? "private-address" : undefined;
}
