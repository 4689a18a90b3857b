import { algorithmFromChain, isAllowedAlgorithm, type SignatureAlgorithm } from "../credential/algorithms";
import { agencySlugOf } from "../credential/issuer-uri";
import { keyIdFromKid } from "../credential/key-id";
import { verifySignature } from "../credential/signature";
import { parseDcqlQuery } from "../dcql/query";
import { isCertchainError } from "../errors";
import { readHolderKey, type HolderKey } from "../holder-binding/holder-key";
import { decodeCompactJws, type DecodedJws } from "../lib/compact-jws";
import type { Hex } from "../lib/bytes";
import { agencyIdOf } from "../registry/ids";
import type { RegistryReader, TrustedRegistry } from "../registry/reader";
import { checkTrustList, readerOf } from "../registry/trust-list";
import type { AgencyRecord } from "../registry/types";
import { VERIFY_CODES } from "../verify/codes";
import { REQUEST_CODES, type RequestCode } from "./codes";
import {
  MAX_PURPOSE_LENGTH,
  MAX_REQUEST_OBJECT_LENGTH,
  REQUEST_OBJECT_TYPE,
  VERIFIER_ATTESTATION_PREFIX,
  VERIFIER_ATTESTATION_TYPE,
  type PresentationRequest,
} from "./request-object";

/** The options of {@link verifyPresentationRequest}. */
export interface VerifyPresentationRequestOptions {
  /** The registries whose agencies the wallet trusts to vouch for verifiers (the wallet's trust list). */
  registries: readonly (TrustedRegistry | RegistryReader)[];
  /** The `client_id` the link carried next to `request_uri`: the request object must name the same. */
  clientId?: string;
  /** Milliseconds since the epoch. Default: now. */
  now?: number;
  /** Deadline of each registry read, in milliseconds. */
  timeoutMs?: number;
}

/** Who is asking, as far as the wallet could confirm it. */
export interface RequestVerifier {
  /** The agency that vouched for the verifier on a trusted registry: its registered name is the verified one. */
  agency: { id: Hex; slug: string; name: string } | null;
  /** The registry that holds that agency. */
  registry: { chainId: number; address: Hex; name: string } | null;
  /** The Verifier Attestation's issuer (`iss`), as written. */
  attestedBy: string | null;
}

/** What {@link verifyPresentationRequest} returns: never thrown. */
export interface PresentationRequestResult {
  /** Whether the request can be shown: well formed, signed by the attested key, not expired. */
  ok: boolean;
  /** Whether the department's name is confirmed on a trusted registry: only then may the wallet answer. */
  verified: boolean;
  /** Why it is not ok, or not verified; null when both hold. */
  code: RequestCode | "CHAIN_UNREACHABLE" | null;
  message: string | null;
  /** The request (null when not ok). */
  request: PresentationRequest | null;
  verifier: RequestVerifier;
}

const CLOCK_SKEW_SECONDS = 60;
const NO_ROOT = `0x${"0".repeat(64)}` as Hex;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isText = (value: unknown, max = 2048): value is string => typeof value === "string" && value.length > 0 && value.length <= max;

class Refusal extends Error {
  constructor(readonly code: RequestCode) {
    super(REQUEST_CODES[code]);
  }
}
const refuse = (code: RequestCode): never => {
  throw new Refusal(code);
};

function httpUrl(value: unknown): string | undefined {
  if (!isText(value)) return undefined;
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.username === "" && url.password === "" && url.hash === "" ? value : undefined;
  } catch {
    return undefined;
  }
}

interface Attestation {
  jws: DecodedJws;
  iss: string;
  sub: string;
  key: HolderKey;
  redirectUris: string[] | undefined;
}

/** The Verifier Attestation JWT's own shape (OpenID4VP 1.0 §12): typ, alg, kid, iss, sub, exp, a public cnf.jwk. */
function readAttestation(text: unknown, now: number): Attestation {
  const jws = decodeCompactJws(text, MAX_REQUEST_OBJECT_LENGTH);
  if (!jws || jws.header.typ !== VERIFIER_ATTESTATION_TYPE || "crit" in jws.header || !isAllowedAlgorithm(jws.header.alg) || keyIdFromKid(jws.header.kid) === undefined) {
    return refuse("VERIFIER_ATTESTATION_MALFORMED");
  }
  const { iss, sub, exp, nbf, cnf, redirect_uris: redirectUris } = jws.payload;
  if (!isText(iss) || !isText(sub) || !Number.isSafeInteger(exp) || (nbf !== undefined && !Number.isSafeInteger(nbf)) || !isObject(cnf)) return refuse("VERIFIER_ATTESTATION_MALFORMED");
  if (redirectUris !== undefined && (!Array.isArray(redirectUris) || !redirectUris.every((uri) => isText(uri)))) return refuse("VERIFIER_ATTESTATION_MALFORMED");
  const key = readHolderKey(cnf.jwk);
  if (!key.ok) return refuse("VERIFIER_ATTESTATION_MALFORMED");
  if ((exp as number) <= now || (nbf !== undefined && (nbf as number) > now + CLOCK_SKEW_SECONDS)) return refuse("VERIFIER_ATTESTATION_EXPIRED");
  return { jws, iss, sub, key: key.key, redirectUris: redirectUris as string[] | undefined };
}

/** The request object's parameters as OpenID4VP 1.0 §5 and §8.2 (direct_post) require them. */
function readRequest(jws: DecodedJws, attestation: Attestation, now: number, expectedClientId: string | undefined): PresentationRequest {
  const p = jws.payload;
  if (!isText(p.client_id) || !isText(p.nonce, 512) || !isText(p.state, 512)) return refuse("REQUEST_OBJECT_MALFORMED");
  if (!p.client_id.startsWith(VERIFIER_ATTESTATION_PREFIX) || p.client_id.slice(VERIFIER_ATTESTATION_PREFIX.length) !== attestation.sub) return refuse("REQUEST_CLIENT_ID_MISMATCH");
  if (expectedClientId !== undefined && expectedClientId !== p.client_id) return refuse("REQUEST_CLIENT_ID_MISMATCH");
  if (p.response_type !== "vp_token" || p.response_mode !== "direct_post") return refuse("REQUEST_OBJECT_UNSUPPORTED");
  // direct_post answers go to response_uri; a redirect_uri beside it is an error (§8.2).
  if (p.redirect_uri !== undefined) return refuse("REQUEST_OBJECT_MALFORMED");
  const responseUri = httpUrl(p.response_uri);
  if (!responseUri || (attestation.redirectUris && !attestation.redirectUris.includes(responseUri))) return refuse("REQUEST_RESPONSE_URI_NOT_ALLOWED");
  if (p.exp !== undefined && (!Number.isSafeInteger(p.exp) || (p.exp as number) <= now)) return refuse("REQUEST_OBJECT_EXPIRED");
  if (p.iat !== undefined && (!Number.isSafeInteger(p.iat) || (p.iat as number) > now + CLOCK_SKEW_SECONDS)) return refuse("REQUEST_OBJECT_MALFORMED");
  if (p.purpose !== undefined && !isText(p.purpose, MAX_PURPOSE_LENGTH)) return refuse("REQUEST_OBJECT_MALFORMED");
  if (p.client_metadata !== undefined && !isObject(p.client_metadata)) return refuse("REQUEST_OBJECT_MALFORMED");
  try {
    parseDcqlQuery(p.dcql_query);
  } catch {
    return refuse("REQUEST_QUERY_INVALID");
  }
  const clientName = isObject(p.client_metadata) && isText(p.client_metadata.client_name, 200) ? p.client_metadata.client_name : null;
  return {
    clientId: p.client_id,
    nonce: p.nonce,
    state: p.state,
    responseUri,
    dcqlQuery: p.dcql_query,
    purpose: typeof p.purpose === "string" ? p.purpose : null,
    clientName,
    expiresAt: p.exp === undefined ? null : new Date((p.exp as number) * 1000).toISOString(),
  };
}

type Trust = { verifier: RequestVerifier; code: RequestCode | "CHAIN_UNREACHABLE" | null };

/**
 * Whether an agency on a trusted registry signed the attestation with a key it holds now: the
 * attestation's `kid` names a registered key of the agency its `iss` names, of the `alg` used,
 * inside its validity window and not revoked, and the signature verifies with it.
 */
async function trustOf(attestation: Attestation, readers: readonly RegistryReader[], now: number, timeoutMs: number | undefined): Promise<Trust> {
  const base: RequestVerifier = { agency: null, registry: null, attestedBy: attestation.iss };
  const slug = agencySlugOf(attestation.iss);
  const keyId = keyIdFromKid(attestation.jws.header.kid)!;
  if (!slug) return { verifier: base, code: "VERIFIER_NOT_TRUSTED" };
  const agencyId = agencyIdOf(slug);
  let unreachable = false;
  for (const reader of readers) {
    try {
      const [context] = await reader.verificationContexts([{ root: NO_ROOT, keyId, typeId: NO_ROOT }], { timeoutMs });
      const key = context.key;
      const alg: SignatureAlgorithm | undefined = algorithmFromChain(key.alg);
      if (!alg || key.agencyId.toLowerCase() !== agencyId || alg !== attestation.jws.header.alg) continue;
      if (key.revoked || now < key.validFrom || now >= key.validUntil) continue;
      if (!(await verifySignature(alg, key.publicKey, attestation.jws.signingInput, attestation.jws.signature))) continue;
      const agency: AgencyRecord | undefined = reader.agency
        ? await reader.agency(agencyId, { timeoutMs })
        : (await reader.agencies({ timeoutMs })).find((a) => a.id.toLowerCase() === agencyId);
      if (!agency?.registered || agency.slug !== slug) continue;
      return {
        verifier: { agency: { id: agencyId, slug, name: agency.name }, registry: { chainId: reader.chainId, address: reader.address, name: reader.name }, attestedBy: attestation.iss },
        code: null,
      };
    } catch (error) {
      if (isCertchainError(error)) unreachable = true;
      else throw error;
    }
  }
  return { verifier: base, code: unreachable ? "CHAIN_UNREACHABLE" : "VERIFIER_NOT_TRUSTED" };
}

const messageOf = (code: RequestCode | "CHAIN_UNREACHABLE"): string => (code === "CHAIN_UNREACHABLE" ? VERIFY_CODES.CHAIN_UNREACHABLE[1] : REQUEST_CODES[code]);

/**
 * The wallet's side of an OpenID4VP 1.0 request by reference: checks the request object fetched
 * from `request_uri` and says who sent it. certchain's verifiers use the `verifier_attestation`
 * client identifier prefix (§5.9.3): the request object (`typ: oauth-authz-req+jwt`) is signed
 * with the key in `cnf.jwk` of the Verifier Attestation JWT (§12) in its `jwt` header, whose `sub`
 * is the client identifier without its prefix. The attestation is trusted when an agency on a
 * trusted registry signed it with a key the registry holds for it now (`iss` names the agency,
 * `kid` the key): the registry's name for that agency is then the verified name to show.
 *
 * Checked: the request object's shape, `typ`, signature (with the attested key), `client_id` (the
 * link's, the attestation's `sub`), `response_type: vp_token`, `response_mode: direct_post`,
 * `response_uri` (http(s), one of the attestation's `redirect_uris` when it lists them), no
 * `redirect_uri`, `exp`, `nonce`, `state` and the DCQL query. `ok` says the request can be shown;
 * `verified` that its sender is confirmed: a wallet answers only then, and otherwise may only
 * decline (§5.9.3: a wallet that cannot establish trust refuses the request). Never throws on
 * hostile input (throws `TRUST_LIST_*` for an unusable trust list, as `verify` does).
 *
 * @example
 * const text = await (await fetch(link.request_uri)).text();
 * const checked = await verifyPresentationRequest(text, { registries, clientId: link.client_id });
 * if (checked.verified) show(checked.verifier.agency!.name, checked.request!.purpose, parseDcqlQuery(checked.request!.dcqlQuery));
 */
export async function verifyPresentationRequest(requestObject: unknown, options: VerifyPresentationRequestOptions): Promise<PresentationRequestResult> {
  const registries = Array.isArray(options?.registries) ? [...options.registries] : [];
  checkTrustList(registries);
  const readers = registries.map(readerOf);
  const at = Number(options.now ?? Date.now());
  const now = Math.floor((Number.isFinite(at) ? at : Date.now()) / 1000);
  const empty: RequestVerifier = { agency: null, registry: null, attestedBy: null };
  const fail = (code: RequestCode | "CHAIN_UNREACHABLE", verifier = empty, request: PresentationRequest | null = null): PresentationRequestResult => ({
    ok: request !== null,
    verified: false,
    code,
    message: messageOf(code),
    request,
    verifier,
  });
  try {
    const jws = decodeCompactJws(requestObject, MAX_REQUEST_OBJECT_LENGTH);
    if (!jws || jws.header.typ !== REQUEST_OBJECT_TYPE || "crit" in jws.header) return fail("REQUEST_OBJECT_MALFORMED");
    if (typeof jws.header.jwt !== "string") return fail("REQUEST_CLIENT_ID_MISMATCH");
    const attestation = readAttestation(jws.header.jwt, now);
    // Proof of possession of the attested key (§5.9.3): anything altered after signing fails here.
    if (jws.header.alg !== attestation.key.alg || jws.signature.length !== 64 || !(await verifySignature(attestation.key.alg, attestation.key.raw.publicKey, jws.signingInput, jws.signature))) {
      return fail("REQUEST_OBJECT_SIGNATURE_INVALID");
    }
    const request = readRequest(jws, attestation, now, options.clientId);
    const trust = await trustOf(attestation, readers, now, options.timeoutMs);
    if (trust.code) return fail(trust.code, trust.verifier, request);
    return { ok: true, verified: true, code: null, message: null, request, verifier: trust.verifier };
  } catch (error) {
    if (error instanceof Refusal) return fail(error.code);
    return fail("REQUEST_OBJECT_MALFORMED");
  }
}
