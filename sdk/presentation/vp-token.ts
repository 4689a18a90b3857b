import { MAX_CREDENTIAL_LENGTH } from "../credential/parse";
import { ENVELOPE_FORMAT } from "../envelope/envelope";
import { hasDuplicateNames } from "../lib/strict-json";
import { snapshotOf } from "../verify/snapshot";

/** One presentation of a vp_token, with the credential query it answers (null for a bare presentation). */
export interface VpTokenEntry {
  queryId: string | null;
  /** A compact SD-JWT(+KB) string, or a certchain envelope (object or JSON text) whose credential is one. */
  presentation: unknown;
}

/** Presentations one vp_token may hold: far more than any request asks for. */
export const MAX_VP_TOKEN_PRESENTATIONS = 32;
/** A key-binding JWT is a few hundred characters. */
export const MAX_KEY_BINDING_JWT_LENGTH = 8 * 1024;
const MAX_VP_TOKEN_TEXT = 2 * 1024 * 1024;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The presentations of a vp_token: an OpenID4VP 1.0 response (§8.1: a JSON object, or its JSON
 * text as `direct_post` carries it, keyed by credential query id, each value a non-empty array of
 * presentations), a single compact presentation, or a certchain envelope. Undefined when it is
 * none of these or exceeds the limits. Read once into plain data; never throws.
 */
export function parseVpToken(input: unknown): VpTokenEntry[] | undefined {
  try {
    if (typeof input === "string") {
      if (!input.trimStart().startsWith("{")) return input.length <= MAX_CREDENTIAL_LENGTH + MAX_KEY_BINDING_JWT_LENGTH ? [{ queryId: null, presentation: input }] : undefined;
      if (input.length > MAX_VP_TOKEN_TEXT) return undefined;
      const value: unknown = JSON.parse(input);
      if (hasDuplicateNames(input)) return undefined;
      return entriesOf(snapshotOf(value));
    }
    return entriesOf(snapshotOf(input));
  } catch {
    return undefined;
  }
}

function entriesOf(value: unknown): VpTokenEntry[] | undefined {
  if (!isObject(value)) return undefined;
  if (value.format === ENVELOPE_FORMAT) return [{ queryId: null, presentation: value }];
  const entries: VpTokenEntry[] = [];
  for (const queryId of Object.keys(value)) {
    const presentations = value[queryId];
    // OpenID4VP 1.0 final: always an array of one or more presentations, never a bare one.
    if (!Array.isArray(presentations) || presentations.length === 0) return undefined;
    for (const presentation of presentations) entries.push({ queryId, presentation });
    if (entries.length > MAX_VP_TOKEN_PRESENTATIONS) return undefined;
  }
  return entries.length > 0 ? entries : undefined;
}

/**
 * An SD-JWT+KB split into the presented SD-JWT (through its last `~`, what `sd_hash` covers) and
 * the key-binding JWT after it (undefined when the presentation ends with `~`, i.e. has none).
 * Undefined when the text has no `~` at all.
 */
export function splitKeyBinding(presentation: string): { sdJwt: string; kbJwt: string | undefined } | undefined {
  const end = presentation.lastIndexOf("~");
  if (end < 0) return undefined;
  const kbJwt = presentation.slice(end + 1);
  return { sdJwt: presentation.slice(0, end + 1), kbJwt: kbJwt === "" ? undefined : kbJwt };
}
