import { consentReceiptOfEntries, type ConsentReceipt } from "../consent-receipt/receipt";
import { disclosedClaimsOf } from "../credential/disclosed-claims";
import { disclosurePathsOf } from "../credential/disclosed-paths";
import { credentialLeaf } from "../credential/leaf";
import { parseCredential, type ParsedCredential } from "../credential/parse";
import type { SignatureAlgorithm } from "../credential/algorithms";
import { checkPresentation, checkResponseShape, type PresentedCredential } from "../dcql/check-response";
import { parseDcqlQuery, type DcqlQuery } from "../dcql/query";
import { createPendingEnvelope, envelopeVersionOf, ENVELOPE_FORMAT, parseEnvelope, type AnchorProof, type Envelope } from "../envelope/envelope";
import { isCertchainError } from "../errors";
import type { Hex } from "../lib/bytes";
import { processProof } from "../merkle/tree";
import { fetchAnchorProof, resolvePendingEnvelope, type ProofLookupOptions } from "../verify/pending-proof";
import { CHECKS, VERIFY_CODES, type CheckName, type VerifyCode } from "../verify/codes";
import type { VerificationResult, Verdict } from "../verify/result";
import { verdictOfCode } from "../verify/verdict";
import { verifyMany, type VerifyOptions } from "../verify/verify";
import { PRESENTATION_CODES, type PresentationCheckName, type PresentationCode } from "./codes";
import { checkKeyBinding, type KeyBindingOutcome } from "./key-binding";
import { parseVpToken, splitKeyBinding, type VpTokenEntry } from "./vp-token";

/** An anchor proof for a compact presentation (which carries none): an envelope's `anchor` without `status`, or a proof service's answer. */
export type PresentationAnchor = Omit<AnchorProof, "status">;

/** The options of {@link verifyPresentation}: what `verify` takes, plus the request the answer must be bound to. */
export interface VerifyPresentationOptions extends VerifyOptions, Omit<ProofLookupOptions, "signal"> {
  /** The request's `nonce`: every key-binding JWT must carry it. */
  nonce: string;
  /** This verifier's client identifier (the request's `client_id`, prefix included): every key-binding JWT's `aud`. */
  audience: string;
  /**
   * Whether every presentation must be holder-bound (a `cnf` key and a key-binding JWT it signed).
   * Default: each credential query's `require_cryptographic_holder_binding` (itself true by
   * default), or true without a query. A key-binding JWT that is present is always checked.
   */
  requireKeyBinding?: boolean;
  /** The request's `dcql_query` (object or JSON text): the response must answer it exactly. */
  dcqlQuery?: unknown;
  /** How old a key-binding JWT may be, in seconds. Default 300. */
  maxKbAgeSeconds?: number;
  /**
   * Where the anchor proofs of compact presentations come from (OpenID4VP carries the SD-JWT
   * alone): proofs the wallet sent along (each used for the presentation whose leaf it leads to
   * its root), or a lookup by leaf (a service's own proof store). Then `proofServices` are asked
   * (`GET <service>/v1/proofs/<leaf>`; the issuer learns which certificate is being used). Every
   * proof is checked against the chain like an envelope's.
   */
  anchors?: readonly PresentationAnchor[] | ((leaf: Hex) => PresentationAnchor | undefined | Promise<PresentationAnchor | undefined>);
  /** The request object's text as served (the signed JWT): with it, a valid answer's result carries its consent receipt. */
  requestObject?: string;
}

/** A check of a presented credential: the pipeline's, or `holder` and `query`. */
export interface PresentationCheckResult {
  name: CheckName | PresentationCheckName;
  status: "passed" | "failed" | "skipped";
  code?: VerifyCode | PresentationCode;
  message?: string;
}

/** Why a presentation (or the whole answer) is not valid. */
export interface PresentationReason {
  check: CheckName | PresentationCheckName;
  code: VerifyCode | PresentationCode;
  message: string;
}

/** One presented credential's result: `verify`'s, with holder binding and the query check. */
export interface PresentedCredentialResult extends Omit<VerificationResult, "checks" | "reason" | "share" | "envelope"> {
  /** The credential query it answers (its key in the vp_token); null for a bare presentation. */
  queryId: string | null;
  reason: PresentationReason | null;
  /** Every check in pipeline order: format, integrity, holder, query, anchor, issuer, signature, status, validity, schema. */
  checks: PresentationCheckResult[];
  holderBinding: {
    /** Whether this presentation had to be holder-bound. */
    required: boolean;
    /** Whether a key-binding JWT was verified against the credential's holder key for this request. */
    checked: boolean;
    /** The credential's holder key (`cnf.jwk`): its algorithm and RFC 7638 thumbprint. */
    holderKey: { alg: SignatureAlgorithm; thumbprint: string } | null;
    /** The verified key-binding JWT: SHA-256 of its text, and when the holder made it. */
    keyBinding: { digest: Hex; issuedAt: string } | null;
  };
  /** The claim path of every disclosure presented (array positions as in `claims`). */
  disclosed: (string | number)[][];
}

/** What {@link verifyPresentation} returns: never thrown, always this shape. */
export interface PresentationVerificationResult {
  /** `valid` only when every presentation is valid and the answer as a whole answers the query. */
  verdict: Verdict;
  /** The answer's own fault (`format`, `query`), else the first presentation that is not valid. */
  reason: PresentationReason | null;
  /** One per presentation, in vp_token order. */
  credentials: PresentedCredentialResult[];
  /** The consent receipt of a valid answer, when `requestObject` was given. */
  receipt: ConsentReceipt | null;
}

const ORDER: (CheckName | PresentationCheckName)[] = ["format", "integrity", "holder", "query", ...CHECKS.slice(2)];
const DEFAULT_MAX_KB_AGE_SECONDS = 300;
const NO_REGISTRY = "0x0000000000000000000000000000000000000000" as Hex;

const messageOf = (code: VerifyCode | PresentationCode): string =>
  Object.hasOwn(PRESENTATION_CODES, code) ? PRESENTATION_CODES[code as PresentationCode][1] : VERIFY_CODES[code as VerifyCode][1];
const verdictOf = (code: VerifyCode | PresentationCode): Verdict =>
  code === "ANCHOR_PROOF_UNAVAILABLE" ? "unverifiable" : Object.hasOwn(PRESENTATION_CODES, code) ? "invalid" : verdictOfCode(code as VerifyCode);

/** One vp_token entry on its way: what the pipeline is given, and what the holder and query checks need. */
interface Presented {
  entry: VpTokenEntry;
  /** What the pipeline verifies: an envelope of the presented SD-JWT, or the raw entry when it cannot be read. */
  input: unknown;
  sdJwt?: string;
  kbJwt?: string;
  anchorMissing?: boolean;
}

function anchoredEnvelopeOf(sdJwt: string, anchor: unknown): Envelope | undefined {
  try {
    if (typeof anchor !== "object" || anchor === null) return undefined;
    const envelope = parseEnvelope({ format: ENVELOPE_FORMAT, version: envelopeVersionOf(sdJwt), credential: sdJwt, anchor: { ...anchor, status: "anchored" } });
    return envelope.anchor.status === "anchored" ? envelope : undefined;
  } catch {
    return undefined;
  }
}

const originOf = (url: unknown): string | undefined => {
  try {
    return typeof url === "string" ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
};

/** The anchor proof of a compact presentation: sent along, looked up, or asked of a proof service. */
async function anchorOf(sdJwt: string, options: VerifyPresentationOptions): Promise<Envelope | undefined> {
  const leaf = credentialLeaf(sdJwt);
  const { anchors } = options;
  if (Array.isArray(anchors)) {
    for (const anchor of anchors) {
      const envelope = anchoredEnvelopeOf(sdJwt, anchor);
      if (envelope && envelope.anchor.status === "anchored" && processProof(leaf, envelope.anchor.proof) === envelope.anchor.root.toLowerCase()) return envelope;
    }
  } else if (typeof anchors === "function") {
    try {
      const envelope = anchoredEnvelopeOf(sdJwt, await anchors(leaf));
      if (envelope) return envelope;
    } catch {
      // A lookup that fails is one source fewer, not a verdict.
    }
  }
  const services = (Array.isArray(options.proofServices) ? options.proofServices : []).filter((service) => originOf(service) !== undefined);
  for (const service of services) {
    const found = await fetchAnchorProof(service, leaf, options);
    if (found.state === "anchored") {
      const envelope = anchoredEnvelopeOf(sdJwt, found.proof);
      if (envelope) return envelope;
    }
  }
  return undefined;
}

/** Turns one vp_token entry into what the pipeline verifies. */
async function prepare(entry: VpTokenEntry, options: VerifyPresentationOptions): Promise<Presented> {
  const { presentation } = entry;
  if (typeof presentation === "string" && !presentation.trimStart().startsWith("{")) {
    const split = splitKeyBinding(presentation);
    if (!split) return { entry, input: presentation };
    const envelope = await anchorOf(split.sdJwt, options);
    if (envelope) return { entry, input: envelope, ...split };
    return { entry, input: createPendingEnvelope(split.sdJwt, 1, NO_REGISTRY), ...split, anchorMissing: true };
  }
  let envelope: Envelope;
  try {
    envelope = parseEnvelope(presentation);
  } catch {
    return { entry, input: presentation };
  }
  const split = splitKeyBinding(envelope.credential);
  if (!split) return { entry, input: envelope };
  const presented = { ...envelope, credential: split.sdJwt };
  const anchored = presented.anchor.status === "pending" ? await resolvePendingEnvelope(presented, options).catch(() => undefined) : undefined;
  return { entry, input: anchored ?? presented, ...split };
}

function decide(checks: readonly PresentationCheckResult[]): { verdict: Verdict; reason: PresentationReason | null } {
  for (const name of ORDER) {
    const check = checks.find((c) => c.name === name);
    if (check?.status === "failed" && check.code) return { verdict: verdictOf(check.code), reason: { check: name, code: check.code, message: check.message ?? messageOf(check.code) } };
  }
  return { verdict: "valid", reason: null };
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

interface Settings {
  nonce: string;
  audience: string;
  requireKeyBinding?: boolean;
  query?: DcqlQuery;
  maxAgeSeconds: number;
  now: number;
}

function settingsOf(options: VerifyPresentationOptions): Settings {
  if (typeof options?.nonce !== "string" || options.nonce.length === 0) throw new TypeError("verifyPresentation needs options.nonce: the request's nonce");
  if (typeof options.audience !== "string" || options.audience.length === 0) throw new TypeError("verifyPresentation needs options.audience: this verifier's client_id");
  const maxAgeSeconds = options.maxKbAgeSeconds ?? DEFAULT_MAX_KB_AGE_SECONDS;
  if (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds <= 0) throw new TypeError("options.maxKbAgeSeconds must be a positive number of seconds");
  const at = Number(options.now ?? Date.now());
  return {
    nonce: options.nonce,
    audience: options.audience,
    requireKeyBinding: typeof options.requireKeyBinding === "boolean" ? options.requireKeyBinding : undefined,
    // A query that is not valid is the caller's configuration: said (DCQL_QUERY_INVALID), not hidden.
    query: options.dcqlQuery === undefined ? undefined : parseDcqlQuery(options.dcqlQuery),
    maxAgeSeconds,
    now: Math.floor((Number.isFinite(at) ? at : Date.now()) / 1000),
  };
}

function refused(code: VerifyCode | PresentationCode, check: CheckName | PresentationCheckName, detail?: string): PresentationVerificationResult {
  return { verdict: verdictOf(code), reason: { check, code, message: detail ? `${messageOf(code)} (${detail})` : messageOf(code) }, credentials: [], receipt: null };
}

/**
 * Verifies a citizen's answer to a department's request (OpenID4VP 1.0 §8.6, RFC 9901 §7.3):
 * each presentation goes through `verify`'s whole pipeline (format, integrity, anchor, issuer,
 * signature, status, validity, schema), plus two checks:
 *
 * - `holder`: the credential is bound to a holder key (`cnf.jwk`) and the key-binding JWT is
 *   that key's, for these disclosures (`sd_hash`), this verifier (`audience`), this request
 *   (`nonce`), and recent (`maxKbAgeSeconds`). A presentation replayed to another request fails
 *   here (`KEY_BINDING_NONCE_MISMATCH`, `KEY_BINDING_AUDIENCE_MISMATCH`).
 * - `query` (with `dcqlQuery`): the answer is keyed by the query's credential query ids, and each
 *   presentation discloses exactly one of its query's claim options, nothing more; a presentation
 *   that does not passes on no claims.
 *
 * `vpToken` is the response's `vp_token` (object or its JSON text: `{ "<query id>": [presentation] }`),
 * or one presentation. A presentation is a compact SD-JWT+KB (its anchor proof from `anchors`
 * or `proofServices`) or a certchain envelope whose credential is one. Never throws on hostile
 * input; throws TypeError for missing `nonce`/`audience`, `CertchainError` `DCQL_QUERY_INVALID`
 * for an invalid `dcqlQuery` and `TRUST_LIST_AMBIGUOUS` as `verify` does.
 *
 * @example
 * const result = await verifyPresentation(body.vp_token, { registries, nonce: request.nonce, audience: request.client_id,
 *   dcqlQuery: request.dcql_query, anchors: body.certchain_anchors, requestObject });
 * if (result.verdict === "valid") console.log(result.credentials[0].claims, result.receipt);
 */
export async function verifyPresentation(vpToken: unknown, options: VerifyPresentationOptions): Promise<PresentationVerificationResult> {
  const settings = settingsOf(options);
  const entries = parseVpToken(vpToken);
  if (!entries) return refused("FORMAT_MALFORMED", "format", "the vp_token is neither a presentation nor an object of non-empty presentation arrays");
  const { query } = settings;
  if (query && entries.some((entry) => entry.queryId === null)) return refused("FORMAT_MALFORMED", "format", "an answer to a DCQL query is keyed by credential query id");

  let presented: Presented[];
  let results: VerificationResult[];
  try {
    presented = await Promise.all(entries.map((entry) => prepare(entry, options).catch((): Presented => ({ entry, input: entry.presentation }))));
    results = await verifyMany(presented.map((p) => p.input), options);
  } catch (error) {
    if (isCertchainError(error, "TRUST_LIST_AMBIGUOUS")) throw error;
    return refused("FORMAT_MALFORMED", "format", "the vp_token could not be verified");
  }

  // What each presentation shows, for the query check (which may look across presentations).
  const parsedOf = presented.map((p, i): ParsedCredential | undefined => {
    const readable = results[i].checks.every((c) => !((c.name === "format" || c.name === "integrity") && c.status !== "passed"));
    if (!readable || p.sdJwt === undefined) return undefined;
    try {
      return parseCredential(p.sdJwt);
    } catch {
      return undefined;
    }
  });
  const views = presented.map((p, i): PresentedCredential | undefined => {
    const parsed = parsedOf[i];
    if (!parsed || p.entry.queryId === null) return undefined;
    return { queryId: p.entry.queryId, leaf: results[i].certificate?.leaf, vct: parsed.payload.vct, claims: disclosedClaimsOf(parsed), disclosed: disclosurePathsOf(parsed).map(({ presented: path }) => path) };
  });

  const credentials = await Promise.all(
    presented.map(async (p, i): Promise<PresentedCredentialResult> => {
      const { checks: pipelineChecks, reason: _reason, share: _share, envelope: _envelope, ...rest } = results[i];
      const parsed = parsedOf[i];
      const credentialQuery = query?.credentials.find(({ id }) => id === p.entry.queryId);
      const required = settings.requireKeyBinding ?? credentialQuery?.require_cryptographic_holder_binding ?? true;
      let holder: KeyBindingOutcome = { status: "skipped", holderKey: null, keyBinding: null };
      if (parsed) holder = await checkKeyBinding(parsed.payload, p.sdJwt!, p.kbJwt, { required, nonce: settings.nonce, audience: settings.audience, now: settings.now, maxAgeSeconds: settings.maxAgeSeconds });
      let queryCheck: PresentationCheckResult = { name: "query", status: "skipped" };
      if (query && parsed && views[i]) {
        const code = checkPresentation(query, views[i]!, views.filter((v): v is PresentedCredential => v !== undefined));
        queryCheck = code ? { name: "query", status: "failed", code, message: messageOf(code) } : { name: "query", status: "passed" };
      }
      const checks: PresentationCheckResult[] = [];
      for (const check of pipelineChecks) {
        if (check.name === "anchor") {
          checks.push({ name: "holder", status: holder.status, ...(holder.code ? { code: holder.code, message: messageOf(holder.code) } : {}) }, queryCheck);
          // The placeholder anchor of a compact presentation without a proof: say so, not "pending".
          if (p.anchorMissing && check.code === "ANCHOR_PENDING") {
            checks.push({ name: "anchor", status: "failed", code: "ANCHOR_PROOF_UNAVAILABLE", message: messageOf("ANCHOR_PROOF_UNAVAILABLE") });
            continue;
          }
        }
        checks.push(check);
      }
      const { verdict, reason } = decide(checks);
      return {
        ...rest,
        verdict,
        reason,
        checks,
        // An answer that does not fit its query passes nothing on: the department never holds what it did not ask for.
        claims: queryCheck.status === "failed" ? {} : rest.claims,
        queryId: p.entry.queryId,
        holderBinding: {
          required,
          checked: holder.status === "passed" && holder.keyBinding !== null,
          holderKey: holder.holderKey ? { alg: holder.holderKey.alg, thumbprint: holder.holderKey.thumbprint } : null,
          keyBinding: holder.keyBinding ? { digest: holder.keyBinding.digest, issuedAt: iso(holder.keyBinding.issuedAt) } : null,
        },
        disclosed: views[i]?.disclosed.map((path) => [...path]) ?? (parsed ? disclosurePathsOf(parsed).map(({ presented: path }) => path) : []),
      };
    }),
  );

  let reason: PresentationReason | null = null;
  let verdict: Verdict = "valid";
  if (query) {
    const counts = new Map<string, number>();
    for (const { queryId } of entries) counts.set(queryId!, (counts.get(queryId!) ?? 0) + 1);
    const code = checkResponseShape(query, counts);
    if (code) ({ verdict, reason } = { verdict: verdictOf(code), reason: { check: "query", code, message: messageOf(code) } });
  }
  if (!reason) {
    const failing = credentials.find((c) => c.verdict !== "valid");
    if (failing) ({ verdict, reason } = { verdict: failing.verdict, reason: failing.reason });
  }
  let receipt: ConsentReceipt | null = null;
  if (verdict === "valid" && typeof options.requestObject === "string" && options.requestObject.length > 0) {
    const times = credentials.flatMap((c) => (c.holderBinding.keyBinding ? [Date.parse(c.holderBinding.keyBinding.issuedAt) / 1000] : []));
    try {
      receipt = consentReceiptOfEntries(options.requestObject, entries, times.length > 0 ? Math.max(...times) : settings.now);
    } catch {
      receipt = null;
    }
  }
  return { verdict, reason, credentials, receipt };
}
