import type { Envelope } from "@certchain/sdk";

const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** The envelope with its credential rewritten by `change`. */
export const tamperedEnvelope = (envelope: Envelope, change: (credential: string) => string): Envelope => ({
  ...envelope,
  credential: change(envelope.credential),
});

/** Replaces disclosure `index` with the encoding of `change(decoded)`. */
export function replaceDisclosure(envelope: Envelope, index: number, change: (decoded: unknown[]) => unknown[]): Envelope {
  return tamperedEnvelope(envelope, (credential) => {
    const parts = credential.split("~");
    parts[index + 1] = encode(change(decode(parts[index + 1])));
    return parts.join("~");
  });
}

/**
 * Re-encodes the issuer-signed JWT's header and payload (the signature is kept, or replaced by
 * `signature`), as an attacker editing a credential would.
 */
export function reencodeCredential(
  envelope: Envelope,
  change: (header: Record<string, unknown>, payload: Record<string, unknown>) => [Record<string, unknown>, Record<string, unknown>] | Record<string, unknown>,
  signature?: string,
): Envelope {
  return tamperedEnvelope(envelope, (credential) => {
    const [jwt, ...rest] = credential.split("~");
    const [h, p, s] = jwt.split(".");
    const changed = change(decode(h), decode(p));
    const [header, payload] = Array.isArray(changed) ? changed : [decode(h), changed];
    return [`${encode(header)}.${encode(payload)}.${signature ?? s}`, ...rest].join("~");
  });
}
