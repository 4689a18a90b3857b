import { parseCertificateNumber } from "../certificate-number";
import { algorithmFromChain } from "../credential/algorithms";
import { disclosedSubjectClaimsOf } from "../credential/disclosed-claims";
import { agencySlugOf } from "../credential/issuer-uri";
import { keyIdFromKid } from "../credential/key-id";
import { credentialLeaf } from "../credential/leaf";
import { parseCredential, type ParsedCredential } from "../credential/parse";
import { sharedSignaturePool, type SignatureJob } from "../credential/signature-pool";
import { envelopeValueOf, parseEnvelope, type AnchorProof, type Envelope } from "../envelope/envelope";
import { CertchainError, isCertchainError } from "../errors";
import type { Hex } from "../lib/bytes";
import { createProofWalker } from "../merkle/proof-walker";
import { DEFAULT_REGISTRY_TIMEOUT_MS, enforcesDeadlines, type RegistryIdentity, type RegistryReadOptions, type RegistryReader, type TrustedRegistry, type VerificationQuery } from "../registry/reader";
import { candidatesFor, checkTrustList, readerOf } from "../registry/trust-list";
import { allowManyListeners } from "../lib/abort";
import { deadline, DeadlineExceeded, untilAborted } from "../lib/deadline";
import { decodePaperPayload, isPaperPayload } from "../paper/payload";
import type { StatusRecord, VerificationContextRecord } from "../registry/types";
import { findTypeByVct, typeIdOf, validateClaims, type TypeFromMetadata } from "../types";
import { createTypeResolver, type TypeMetadataOptions, type TypeResolution, type TypeResolver } from "../types/resolve";
import { createStatusListChecker, type StatusListChecker, type StatusListOptions } from "../status/check-status-list";
import { CHECKS, VERIFY_CODES, messageOf, type CheckName, type VerifyCode } from "./codes";
import { blankResult, type CheckResult, type VerificationResult } from "./result";
import { UnreadableInput, snapshotOf } from "./snapshot";
import { decideVerdict } from "./verdict";
import { withheldNestedClaims } from "./withheld";

/** What to trust and when: the options of `verify`, `verifyMany` and `verifyDocument`. */
export interface VerifyOptions {
  /** The registries this verifier trusts (mutual recognition: several are fine). */
  registries: readonly (TrustedRegistry | RegistryReader)[];
  /** Blocks an anchor needs, counting its own (1 = mined). Default 1. */
  minConfirmations?: number;
  /** The time validity is judged at. Default: now. */
  now?: Date | number;
  /**
   * The deadline of each registry read, in ms, for trust entries without their own `timeoutMs`.
   * Default 5,000. A registry that misses it makes its certificates `unverifiable`
   * (CHAIN_UNREACHABLE) without holding back any other registry's.
   */
  registryTimeoutMs?: number;
  /** Abandons the chain reads: certificates not decided yet come back `unverifiable`. */
  signal?: AbortSignal;
  /**
   * Where to learn certificate types this SDK does not ship (format v2): the verifier's own
   * documents, or the `vct` URLs of allowed hosts. Every document must match the hash on the
   * trusted registry. Without it, such types are `SCHEMA_TYPE_UNKNOWN` (claims unchecked).
   */
  types?: TypeMetadataOptions;
  /**
   * Also read the published Token Status List of format v2 certificates on these hosts, and warn
   * (`STATUS_LIST_STALE`) when it disagrees with the chain. Never followed: status is the chain's.
   */
  statusLists?: StatusListOptions;
}

/** One certificate's way through the pipeline. */
interface Item {
  checks: Map<CheckName, CheckResult>;
  result: VerificationResult;
  envelope?: Envelope;
  parsed?: ParsedCredential;
  slug?: string;
  keyId?: Hex;
  typeId?: Hex;
  /** The certificate number's segments, when it is a national e-licence number. */
  number?: { typeCode: string; issuerCode: string };
  reader?: RegistryReader;
  /** Several trusted registries share the envelope's chain and address and it names no id: attributed by root. */
  candidates?: RegistryReader[];
  /** The envelope's registry id, when matched to a trust entry that names none: the contract must have it. */
  confirmId?: Hex;
  contextKey?: string;
  context?: VerificationContextRecord;
  status?: StatusRecord;
  resolution?: TypeResolution;
  /** The registry's type code, for types this SDK does not ship. */
  typeCode?: string;
  /** Whether the chain shows the envelope's transaction anchoring its root. */
  transactionConfirmed?: boolean;
}

const toIso = (seconds: unknown): string | null =>
  typeof seconds === "number" && Number.isFinite(seconds) && Math.abs(seconds) < 8.64e12 ? new Date(seconds * 1000).toISOString() : null;
// A batch's certificates share issuance times (and anchors their block times): the last few
// answers are kept instead of formatting the same second again.
const isoMemo = new Map<unknown, string | null>();
const iso = (seconds: unknown): string | null => {
  let text = isoMemo.get(seconds);
  if (text === undefined) {
    text = toIso(seconds);
    if (isoMemo.size >= 16) isoMemo.clear();
    isoMemo.set(seconds, text);
  }
  return text;
};

// Checks that passed or were skipped without a reason say nothing of their own certificate: one
// frozen object each, shared by every result (100,000 results would otherwise hold 800,000).
const sharedChecks = (status: "passed" | "skipped") => new Map(CHECKS.map((name) => [name, Object.freeze<CheckResult>({ name, status })]));
const PASSED = sharedChecks("passed");
const SKIPPED = sharedChecks("skipped");

const pass = (item: Item, name: CheckName) => item.checks.set(name, PASSED.get(name)!);
const fail = (item: Item, code: VerifyCode, message: string = messageOf(code)) => {
  const name = VERIFY_CODES[code][0];
  if (item.checks.get(name)?.status !== "failed") item.checks.set(name, { name, status: "failed", code, message });
};
const failed = (item: Item, name: CheckName) => item.checks.get(name)?.status === "failed";

function failWith(item: Item, error: unknown, fallback: VerifyCode) {
  const code = isCertchainError(error) && Object.hasOwn(VERIFY_CODES, error.code) ? (error.code as VerifyCode) : fallback;
  fail(item, code, isCertchainError(error) ? error.message : messageOf(code));
}

/**
 * The inputs as a plain array, each element read once by index: a list that is a Proxy, has
 * getters or its own iterator, or throws on one element must not take the other results with it.
 */
function readList(inputs: unknown): unknown[] {
  let length: number;
  try {
    length = Array.isArray(inputs) ? Number(inputs.length) : NaN;
  } catch {
    return [];
  }
  if (!Number.isSafeInteger(length) || length < 0) return [];
  const list = new Array<unknown>(length);
  for (let i = 0; i < length; i++) {
    try {
      list[i] = (inputs as unknown[])[i];
    } catch (error) {
      list[i] = new UnreadableInput(error);
    }
  }
  return list;
}

/** format + integrity: everything that needs no chain. */
function inspect(input: unknown): Item {
  const item: Item = { checks: new Map(), result: blankResult([]) };
  let plain: unknown;
  try {
    if (input instanceof UnreadableInput) throw input.error;
    // Read once into plain data, within the same limits for text and objects; every check below
    // looks only at the copy. Paper (a scanned QR code's text) is one more way to hand over a
    // file: the same pipeline after decoding.
    plain = snapshotOf(typeof input === "string" ? (isPaperPayload(input) ? decodePaperPayload(input) : envelopeValueOf(input)) : input);
  } catch (error) {
    failWith(item, error, "FORMAT_MALFORMED");
    return item;
  }
  try {
    item.envelope = parseEnvelope(plain);
    item.parsed = parseCredential(item.envelope.credential);
  } catch (error) {
    failWith(item, error, "FORMAT_MALFORMED");
    return item;
  }
  const { payload, header } = item.parsed;
  const slug = agencySlugOf(payload.iss);
  const keyId = keyIdFromKid(header.kid);
  const number = payload.certificate_number;
  const times = [payload.iat, payload.nbf, payload.exp].filter((t) => t !== undefined);
  if (!slug || !keyId || typeof payload.vct !== "string" || typeof number !== "string" || !times.every((t) => Number.isSafeInteger(t))) {
    fail(item, "FORMAT_MALFORMED", "the credential lacks iss, vct, kid, certificate_number or valid times");
    return item;
  }
  // A version 1 envelope holds a format v1 credential: a v2 credential in it would read as v1
  // to an older SDK (`status`, `vct#integrity` and `cnf` taken for subject claims).
  if (item.envelope.version === 1 && (!String(payload.iss).startsWith("urn:") || "vct#integrity" in payload || "status" in payload || "cnf" in payload)) {
    fail(item, "FORMAT_MALFORMED", "a version 1 envelope holds a format v2 credential");
    return item;
  }
  const parsedNumber = parseCertificateNumber(number);
  // A national number with a broken structure or check character is malformed here; whether a
  // number is the anchoring agency's (or a national one at all) is the issuer check's question.
  if (number.startsWith("1.2.156.3005.2.") && !parsedNumber.ok) {
    fail(item, "CERT_NUMBER_INVALID");
    return item;
  }
  if (parsedNumber.ok) item.number = { typeCode: parsedNumber.parts.typeCode, issuerCode: parsedNumber.parts.issuerCode };
  pass(item, "format");
  item.slug = slug;
  item.keyId = keyId;
  item.typeId = typeIdOf(payload.vct);
  item.result.certificate = {
    number,
    vct: payload.vct,
    type: null,
    leaf: credentialLeaf(item.envelope.credential),
    issuedAt: iso(payload.iat),
    validFrom: iso(payload.nbf),
    validUntil: iso(payload.exp),
  };

  try {
    item.result.claims = disclosedSubjectClaimsOf(item.parsed);
    pass(item, "integrity");
  } catch (error) {
    failWith(item, error, "FORMAT_MALFORMED");
  }
  return item;
}

/**
 * Finds the trusted registries the envelope's anchor can belong to (see `candidatesFor`) and
 * checks that the proof reaches the stated root. One candidate is the envelope's registry; an
 * envelope without a registry id at an address several trusted registries share gets them all,
 * and is attributed later to the one whose chain holds its root.
 */
function locateAnchor(item: Item, readers: readonly RegistryReader[], walkProof: (leaf: Hex, proof: readonly Hex[]) => Hex) {
  if (!item.envelope || !item.result.certificate || failed(item, "integrity")) return;
  const anchor = item.envelope.anchor;
  if (anchor.status === "pending") return fail(item, "ANCHOR_PENDING");
  const { candidates, confirmId } = candidatesFor(readers, anchor);
  if (candidates.length === 0) return fail(item, "ANCHOR_UNTRUSTED_REGISTRY");
  if (walkProof(item.result.certificate.leaf, anchor.proof) !== anchor.root.toLowerCase()) {
    fail(item, "ANCHOR_PROOF_INVALID");
  }
  item.contextKey = `${anchor.root.toLowerCase()}|${item.keyId}|${item.typeId}`;
  if (candidates.length === 1) attribute(item, candidates[0]);
  else item.candidates = candidates;
  if (confirmId) item.confirmId = confirmId.toLowerCase() as Hex;
}

function attribute(item: Item, reader: RegistryReader) {
  item.reader = reader;
  item.result.registry = { chainId: reader.chainId, address: reader.address, name: reader.name, id: reader.id ?? null };
}

/** What one verifyEach call reads from one registry, shared by all its chunks. */
interface RegistrySession {
  reader: RegistryReader;
  /** Each read is abandoned at this deadline. */
  timeoutMs: number;
  signal: AbortSignal;
  identity?: Promise<RegistryIdentity | undefined>;
  head?: Promise<number>;
  contexts: Map<string, Promise<VerificationContextRecord>>;
  /** The first failure of this registry in this call: later chunks get it at once instead of waiting again. */
  failure?: CertchainError;
  /** Whether an envelope's transaction anchored its root, per distinct (root, transaction). */
  transactions: Map<string, Promise<boolean>>;
  /** The registry's type code of each type this SDK does not ship (format v2 registries). */
  typeCodes: Map<string, Promise<string | undefined>>;
}

/**
 * A certificate number's type segment is checked against its type's code: the SDK's bundled
 * types know theirs; for other types (added through a service's API) the registry holds it, read
 * here once per distinct type per call.
 */
function readTypeCodes(session: RegistrySession, items: Item[]) {
  const wanted = [...new Set(items.filter((i) => i.typeId && !session.typeCodes.has(i.typeId) && !findTypeByVct(i.parsed?.payload.vct)).map((i) => i.typeId!))];
  if (wanted.length === 0 || !session.reader.typeRecords) return;
  const read = within(session, (options) => session.reader.typeRecords!(wanted, options));
  wanted.forEach((typeId, i) => {
    const code = read.then((records) => records[i]?.typeCode || undefined, () => undefined);
    session.typeCodes.set(typeId, code);
  });
}

/** One read of the session's registry, within its deadline (enforced here too for readers that ignore signals). */
async function within<T>(session: RegistrySession, read: (options: RegistryReadOptions) => Promise<T>): Promise<T> {
  const options = { signal: session.signal, timeoutMs: session.timeoutMs };
  // Readers of createRegistryReader put the deadline on each request (a large read is many requests).
  if (enforcesDeadlines(session.reader)) return read(options);
  const limit = deadline(session.timeoutMs, session.signal);
  try {
    return await untilAborted(read({ ...options, signal: limit.signal }), limit.signal);
  } catch (error) {
    if (error instanceof DeadlineExceeded) throw new CertchainError("CHAIN_UNREACHABLE", `${session.reader.name} did not answer within ${error.timeoutMs} ms`);
    throw error;
  } finally {
    limit.release();
  }
}

/** The registry's identity, checked once per call (the reader caches it across calls). */
function identityOf(session: RegistrySession): Promise<RegistryIdentity | undefined> {
  const { reader } = session;
  session.identity ??= within(session, (options) => (typeof reader.identify === "function" ? reader.identify(options) : reader.assertChain(options).then(() => undefined)));
  return session.identity;
}

/** Starts (once per call) the context read of each distinct (root, key, type) of these items. */
function requestContexts(session: RegistrySession, items: Item[]): void {
  const fresh = new Map<string, VerificationQuery>();
  for (const item of items) {
    if (session.contexts.has(item.contextKey!) || fresh.has(item.contextKey!)) continue;
    const anchor = item.envelope!.anchor as AnchorProof;
    fresh.set(item.contextKey!, { root: anchor.root, keyId: item.keyId!, typeId: item.typeId! });
  }
  if (fresh.size === 0) return;
  const read = identityOf(session).then(() => within(session, (options) => session.reader.verificationContexts([...fresh.values()], options)));
  [...fresh.keys()].forEach((key, i) => {
    const context = read.then((contexts) => contexts[i]);
    // Awaited by each chunk that needs it; a failure must not also surface as unhandled.
    context.catch(() => undefined);
    session.contexts.set(key, context);
  });
}

/** A read failure as a verification code: a mismatch keeps its own, anything else is CHAIN_UNREACHABLE. */
function chainFailure(session: RegistrySession, error: unknown): CertchainError {
  if (isCertchainError(error) && (error.code === "REGISTRY_CHAIN_MISMATCH" || error.code === "REGISTRY_ID_MISMATCH" || error.code === "CHAIN_UNREACHABLE")) return error as CertchainError;
  if (session.signal.aborted) return new CertchainError("CHAIN_UNREACHABLE", `reading ${session.reader.name} was aborted`);
  return new CertchainError("CHAIN_UNREACHABLE", `${session.reader.name} could not be read${error instanceof Error && error.message ? `: ${error.message}` : ""}`);
}

const transactionKeyOf = (anchor: AnchorProof) => `${anchor.root.toLowerCase()}|${anchor.transaction.toLowerCase()}`;

/**
 * Reads, once per distinct (root, transaction), whether the envelope's transaction is the one
 * that anchored the root. The field is informative and unsigned: a failed read only leaves it
 * out of the result, it fails no check.
 */
function checkTransactions(session: RegistrySession, items: Item[]): void {
  const check = session.reader.anchorTransactions;
  const fresh = new Map<string, { root: Hex; transaction: Hex }>();
  for (const item of items) {
    if (!item.context?.anchor.anchoredAt) continue;
    const anchor = item.envelope!.anchor as AnchorProof;
    const key = transactionKeyOf(anchor);
    if (!session.transactions.has(key) && !fresh.has(key)) fresh.set(key, { root: anchor.root, transaction: anchor.transaction });
  }
  if (fresh.size === 0) return;
  const read = typeof check === "function" ? within(session, (options) => check.call(session.reader, [...fresh.values()], options)) : Promise.resolve([...fresh.values()].map(() => false));
  [...fresh.keys()].forEach((key, i) => session.transactions.set(key, read.then((answers) => answers[i] === true, () => false)));
}

/**
 * The chain reads for a group of certificates of one registry: its identity (chain id, genesis,
 * registry id) and the block number once per call, the context of each distinct (root, key,
 * type) once per call, then the statuses under each anchoring agency (statuses are recorded per
 * agency, so one agency cannot touch another's certificates), in calls of up to 1,000.
 */
async function readChain(session: RegistrySession, items: Item[]): Promise<number | undefined> {
  const { reader } = session;
  try {
    if (session.failure) throw session.failure;
    const identity = await identityOf(session);
    for (const item of items) {
      if (identity?.registryId && item.result.registry) item.result.registry.id = identity.registryId;
      // Matched to an entry that names no id: its contract must have the id the envelope names.
      if (item.confirmId && identity && identity.registryId !== item.confirmId) fail(item, "ANCHOR_UNTRUSTED_REGISTRY");
    }
    requestContexts(session, items);
    session.head ??= within(session, (options) => reader.blockNumber(options));
    const head = await session.head;
    const leavesByAgency = new Map<Hex, Item[]>();
    for (const item of items) {
      item.context = await session.contexts.get(item.contextKey!);
      const agencyId = item.context?.anchor.agencyId;
      if (failed(item, "anchor") || !item.context?.anchor.anchoredAt || !agencyId) continue;
      const group = leavesByAgency.get(agencyId);
      if (group) group.push(item);
      else leavesByAgency.set(agencyId, [item]);
    }
    checkTransactions(session, items);
    readTypeCodes(session, items);
    await Promise.all(
      [...leavesByAgency].map(async ([agencyId, group]) => {
        const statuses = await within(session, (options) => reader.statuses(agencyId, group.map((i) => i.result.certificate!.leaf), options));
        group.forEach((item, i) => (item.status = statuses[i]));
      }),
    );
    for (const item of items) {
      const anchor = item.envelope!.anchor as AnchorProof;
      if (item.context?.anchor.anchoredAt) item.transactionConfirmed = await session.transactions.get(transactionKeyOf(anchor));
      if (item.typeId && session.typeCodes.has(item.typeId)) item.typeCode = await session.typeCodes.get(item.typeId);
    }
    return head;
  } catch (error) {
    session.failure ??= chainFailure(session, error);
    for (const item of items) fail(item, session.failure.code as VerifyCode, session.failure.message);
    return undefined;
  }
}

/**
 * Attributes envelopes without a registry id that several trusted registries could hold (same
 * chain id and address): each candidate's chain is asked for the root, and the one registry that
 * holds it judges the certificate. None holds it: ANCHOR_ROOT_NOT_FOUND. Several do:
 * ANCHOR_REGISTRY_AMBIGUOUS (a registry can anchor any root, so the envelope could be either's).
 * A candidate that cannot be read leaves the question open: its failure code (CHAIN_UNREACHABLE,
 * or a mismatch), unverifiable, even if another holds the root.
 */
async function attributeByRoot(items: Item[], sessionOf: (reader: RegistryReader) => RegistrySession): Promise<void> {
  const readers = [...new Set(items.flatMap((item) => item.candidates!))];
  await Promise.all(
    readers.map(async (reader) => {
      const session = sessionOf(reader);
      const mine = items.filter((item) => item.candidates!.includes(reader));
      try {
        if (session.failure) throw session.failure;
        await identityOf(session);
        requestContexts(session, mine);
        await Promise.all(mine.map((item) => session.contexts.get(item.contextKey!)));
      } catch (error) {
        session.failure ??= chainFailure(session, error);
      }
    }),
  );
  for (const item of items) {
    const unreadable = item.candidates!.map(sessionOf).find((session) => session.failure);
    if (unreadable) {
      fail(item, unreadable.failure!.code as VerifyCode, unreadable.failure!.message);
      continue;
    }
    const holders = [];
    for (const reader of item.candidates!) if ((await sessionOf(reader).contexts.get(item.contextKey!))?.anchor.anchoredAt) holders.push(reader);
    if (holders.length === 1) attribute(item, holders[0]);
    else if (holders.length === 0) fail(item, "ANCHOR_ROOT_NOT_FOUND");
    else fail(item, "ANCHOR_REGISTRY_AMBIGUOUS", `${messageOf("ANCHOR_REGISTRY_AMBIGUOUS")} (${holders.map((r) => r.name).join(", ")})`);
  }
}

function judgeAnchor(item: Item, head: number, minConfirmations: number) {
  const context = item.context!;
  const anchor = item.envelope!.anchor as AnchorProof;
  if (context.anchor.anchoredAt === 0) return fail(item, "ANCHOR_ROOT_NOT_FOUND");
  item.result.anchoredAt = iso(context.anchor.anchoredAt);
  item.result.anchor = { root: anchor.root, block: context.anchor.blockNumber, transaction: item.transactionConfirmed ? anchor.transaction : null };
  if (head - context.anchor.blockNumber + 1 < minConfirmations) return fail(item, "ANCHOR_UNCONFIRMED");
  pass(item, "anchor");
}

function judgeIssuer(item: Item) {
  const { anchor, agency, key, accreditation } = item.context!;
  const at = anchor.anchoredAt;
  item.result.issuer = { id: anchor.agencyId, slug: agency.slug, name: agency.name };
  if (agency.slug !== item.slug) return fail(item, "ISSUER_MISMATCH");
  // The number must be this agency's and this type's: the registry holds the agency's code.
  const typeCode = findTypeByVct(item.parsed!.payload.vct)?.typeCode ?? item.typeCode;
  const number = item.number;
  if (!number || !agency.creditCode || number.issuerCode !== agency.creditCode || (typeCode !== undefined && number.typeCode !== typeCode)) {
    return fail(item, "CERT_NUMBER_MISMATCH");
  }
  if (key.alg === 0) return fail(item, "ISSUER_KEY_UNKNOWN");
  if (key.agencyId.toLowerCase() !== anchor.agencyId.toLowerCase()) return fail(item, "ISSUER_KEY_OF_ANOTHER_AGENCY");
  if (algorithmFromChain(key.alg) !== item.parsed!.header.alg) return fail(item, "ISSUER_KEY_ALGORITHM_MISMATCH");
  if (at < key.validFrom) return fail(item, "ISSUER_KEY_NOT_YET_VALID");
  if (at >= key.validUntil) return fail(item, key.revoked ? "ISSUER_KEY_REVOKED" : "ISSUER_KEY_RETIRED");
  if (accreditation.validUntil === 0 || at < accreditation.validFrom || at >= accreditation.validUntil) return fail(item, "ISSUER_NOT_ACCREDITED");
  pass(item, "issuer");
}

/** Every signature of a group in one batch: large batches are checked in worker threads (Node). */
async function judgeSignatures(items: Item[]) {
  const judged: Item[] = [];
  const jobs: SignatureJob[] = [];
  for (const item of items) {
    const key = item.context?.key;
    const alg = key && algorithmFromChain(key.alg);
    if (!key || !alg || alg !== item.parsed!.header.alg) continue;
    judged.push(item);
    jobs.push({ alg, publicKey: key.publicKey, signingInput: item.parsed!.signingInput, signature: item.parsed!.signature });
  }
  if (jobs.length === 0) return;
  const answers = await sharedSignaturePool().verify(jobs);
  judged.forEach((item, i) => {
    if (answers[i] === true) pass(item, "signature");
    else fail(item, "SIGNATURE_INVALID");
  });
}

function judgeStatus(item: Item) {
  const status = item.status;
  if (!status) return;
  item.result.status = { state: status.state, reason: status.reason, since: status.updatedAt ? iso(status.updatedAt) : null };
  if (status.state === "revoked") return fail(item, "STATUS_REVOKED");
  if (status.state === "suspended") return fail(item, "STATUS_SUSPENDED");
  pass(item, "status");
}

function judgeValidity(item: Item, now: number) {
  const { nbf, exp } = item.parsed!.payload as { nbf?: number; exp?: number };
  if (nbf !== undefined && now < nbf) return fail(item, "VALIDITY_NOT_YET_VALID");
  if (exp !== undefined && now >= exp) return fail(item, "VALIDITY_EXPIRED");
  pass(item, "validity");
}

type ShownType = NonNullable<NonNullable<VerificationResult["certificate"]>["type"]> & { claimOrder: readonly string[] };
const shownTypes = new WeakMap<TypeFromMetadata, ShownType>();

/** A type as results show it: one frozen object per type, shared by its certificates' results. */
function shownTypeOf(type: TypeFromMetadata): ShownType {
  let shown = shownTypes.get(type);
  if (!shown) {
    shown = Object.freeze({ id: type.id, names: type.names, labels: type.claimLabels, claimOrder: Object.freeze(Object.keys(type.claims)) });
    shownTypes.set(type, shown);
  }
  return shown;
}

/** Learns each distinct type of a chunk once: bundled, the verifier's documents, or fetched; vouched for by the registry. */
async function resolveTypes(items: Item[], resolver: TypeResolver): Promise<void> {
  // Grouped first, so a chunk waits once per distinct type rather than once per certificate.
  const groups = new Map<string, { resolution: Promise<TypeResolution>; items: Item[] }>();
  for (const item of items) {
    if (!item.parsed || failed(item, "format")) continue;
    const { vct, "vct#integrity": integrity } = item.parsed.payload as { vct: string; "vct#integrity"?: unknown };
    const key = `${vct}\n${String(integrity)}\n${item.reader ? `${item.reader.chainId}:${item.reader.address}` : ""}`;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = { resolution: resolver.resolve(vct, integrity, item.reader), items: [] }));
    group.items.push(item);
  }
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const resolution = await group.resolution;
      for (const item of group.items) applyResolution(item, resolution);
    }),
  );
}

function applyResolution(item: Item, resolution: TypeResolution) {
  item.resolution = resolution;
  const type = resolution.status === "trusted" || resolution.status === "untrusted" ? resolution.type : undefined;
  if (type && item.result.certificate) {
    const shown = shownTypeOf(type);
    item.result.certificate.type = shown;
    if (!failed(item, "integrity")) {
      item.result.withheld = shown.claimOrder.filter((name) => !(name in item.result.claims));
      const nested = withheldNestedClaims(type, item.parsed!, item.result.claims);
      if (nested.length > 0) item.result.withheldClaims = nested;
    }
  }
}

function judgeSchema(item: Item) {
  const resolution = item.resolution ?? { status: "unknown" };
  const skip = (code: VerifyCode) => item.checks.set("schema", { name: "schema", status: "skipped", code, message: messageOf(code) });
  if (resolution.status === "unknown") return skip("SCHEMA_TYPE_UNKNOWN");
  if (resolution.status === "untrusted") return skip("TYPE_METADATA_UNTRUSTED");
  if (resolution.status === "mismatch") return fail(item, "TYPE_METADATA_MISMATCH");
  // Presentations omit claims on purpose: judge the disclosed ones, not their presence.
  const outcome = validateClaims(resolution.type, item.result.claims, { partial: true });
  if (outcome.ok) pass(item, "schema");
  else fail(item, "SCHEMA_INVALID", `${messageOf("SCHEMA_INVALID")} ${outcome.errors.map((e) => `${e.path} ${e.message}`).join("; ")}`);
}

/** The item's result, completed in place (it is the item's own, handed out once). */
function finish(item: Item): VerificationResult {
  const result = item.result;
  result.checks = CHECKS.map((name) => item.checks.get(name) ?? SKIPPED.get(name)!);
  const { verdict, reason } = decideVerdict(result.checks);
  result.verdict = verdict;
  result.reason = reason;
  return result;
}

/** The published list, compared with the chain: a warning when it disagrees, never a verdict. */
async function comparePublishedStatus(item: Item, checker: StatusListChecker) {
  const anchor = item.envelope?.anchor;
  if (!item.status || !item.reader || !item.context || anchor?.status !== "anchored" || failed(item, "signature") || failed(item, "issuer")) return;
  const outcome = await checker.check(item.parsed!.payload.status, item.status.state, { reader: item.reader, agencyId: item.context.anchor.agencyId, root: anchor.root, typeId: item.typeId! });
  if (outcome === undefined || outcome === "agrees") return;
  const code: VerifyCode = outcome === "stale" ? "STATUS_LIST_STALE" : "STATUS_LIST_UNAVAILABLE";
  (item.result.warnings ??= []).push({ check: "status", code, message: messageOf(code) });
}

/** A last line of defence: an unforeseen fault still yields a verdict, never an exception. */
function inspectSafely(input: unknown): Item {
  try {
    return inspect(input);
  } catch {
    const item: Item = { checks: new Map(), result: blankResult([]) };
    fail(item, "FORMAT_MALFORMED");
    return item;
  }
}

const passed = (item: Item, name: CheckName) => item.checks.get(name)?.status === "passed";

/**
 * The checks that need no chain, then the result. Claims are checked against the type's schema
 * only once the issuer and the signature passed: an unsigned forgery costs no more than parsing,
 * whatever its claims hold (and a registered type is what judges only what its issuer signed).
 */
function conclude(item: Item, now: number): VerificationResult {
  if (item.parsed && !failed(item, "format")) {
    judgeValidity(item, now);
    if (!failed(item, "integrity") && passed(item, "issuer") && passed(item, "signature")) judgeSchema(item);
  }
  return finish(item);
}

/** After the chain reads of a group: the judgements that use them. */
async function judgeRead(items: Item[], head: number | undefined, minConfirmations: number, checker?: StatusListChecker): Promise<void> {
  if (head === undefined) return;
  for (const item of items) {
    if (!failed(item, "anchor")) judgeAnchor(item, head, minConfirmations);
    if (!failed(item, "anchor")) judgeIssuer(item);
    if (!failed(item, "anchor")) judgeStatus(item);
  }
  await judgeSignatures(items);
  if (checker) await Promise.all(items.map((item) => comparePublishedStatus(item, checker)));
}

/** One verified input of {@link verifyEach}: its position in the input and its result. */
export interface VerifiedItem {
  index: number;
  result: VerificationResult;
}

/** Inputs are parsed and sent to the chain this many at a time; reads of one chunk overlap with parsing the next. */
const CHUNK = 2_000;
/**
 * Chunks whose chain reads may be outstanding at once: bounds memory when inputs keep coming.
 * Two keep the chain reads of one chunk overlapping with parsing the next; at 100,000 streamed
 * certificates four only held more in memory (peak RSS 473 → 431 MiB), at no faster a rate.
 */
const CHUNKS_IN_FLIGHT = 2;

interface Settings {
  readers: RegistryReader[];
  minConfirmations: number;
  now: number;
  timeoutMs: number;
  signal?: AbortSignal;
  types?: TypeMetadataOptions;
  statusLists?: StatusListOptions;
}

/**
 * The caller's options, read once; a hostile or broken options object trusts no registry. A trust
 * list whose entries cannot be told apart is refused (TRUST_LIST_AMBIGUOUS), not trusted in part.
 */
function settingsOf(options: VerifyOptions): Settings {
  let registries: readonly (TrustedRegistry | RegistryReader)[] = [];
  let minConfirmations = 1;
  let now = Math.floor(Date.now() / 1000);
  let timeoutMs = DEFAULT_REGISTRY_TIMEOUT_MS;
  let signal: AbortSignal | undefined;
  let types: TypeMetadataOptions | undefined;
  let statusLists: StatusListOptions | undefined;
  try {
    const given = options?.registries;
    registries = Array.isArray(given) ? [...given] : [];
    minConfirmations = Math.max(1, Number(options?.minConfirmations ?? 1) || 1);
    const at = Number(options?.now ?? Date.now());
    if (Number.isFinite(at)) now = Math.floor(at / 1000);
    const limit = Number(options?.registryTimeoutMs ?? DEFAULT_REGISTRY_TIMEOUT_MS);
    if (Number.isFinite(limit) && limit > 0) timeoutMs = limit;
    const caller = options?.signal;
    if (typeof AbortSignal !== "undefined" && caller instanceof AbortSignal) signal = caller;
    types = options?.types;
    statusLists = options?.statusLists;
  } catch {
    registries = [];
    types = statusLists = undefined;
  }
  checkTrustList(registries);
  return { readers: registries.map(readerOf), minConfirmations, now, timeoutMs, signal, types, statusLists };
}

async function* chunksOf(inputs: Iterable<unknown> | AsyncIterable<unknown>): AsyncGenerator<unknown[]> {
  if (Array.isArray(inputs)) {
    for (let start = 0; start < inputs.length; start += CHUNK) yield inputs.slice(start, start + CHUNK);
    return;
  }
  let chunk: unknown[] = [];
  for await (const input of inputs as AsyncIterable<unknown>) {
    chunk.push(input);
    if (chunk.length === CHUNK) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * Verifies certificate files as a stream: yields `{ index, result }` for each input as soon as
 * its verdict is decided, in the order verdicts are reached, not input order. Certificates that
 * need no chain come first; each trusted registry's come when its reads are done, so a slow or
 * frozen region delays only its own certificates (each of its reads ends at its deadline:
 * `timeoutMs` of the trust entry, else `registryTimeoutMs`, else 5 s; they then come back
 * `unverifiable`). Inputs may be any iterable or async iterable; they are read 2,000 at a time
 * and no more than two chunks are in flight, so memory stays flat however many there are.
 * Chain reads are shared as in {@link verifyMany}. Never throws on hostile input; throws
 * `CertchainError` TRUST_LIST_AMBIGUOUS when the trust list's entries cannot be told apart.
 *
 * @example
 * for await (const { index, result } of verifyEach(files, { registries })) {
 *   console.log(index, result.verdict, result.registry?.name);
 * }
 */
export async function* verifyEach(inputs: Iterable<unknown> | AsyncIterable<unknown>, options: VerifyOptions): AsyncGenerator<VerifiedItem, void, undefined> {
  const settings = settingsOf(options);
  const stop = new AbortController();
  const signal = settings.signal ? anySignal(settings.signal, stop.signal) : stop.signal;
  allowManyListeners(signal);
  const sessions = new Map<RegistryReader, RegistrySession>();
  const sessionOf = (reader: RegistryReader): RegistrySession => {
    let session = sessions.get(reader);
    if (!session) {
      session = { reader, timeoutMs: reader.timeoutMs ?? settings.timeoutMs, signal, contexts: new Map(), transactions: new Map(), typeCodes: new Map() };
      sessions.set(reader, session);
    }
    return session;
  };
  const resolver = createTypeResolver(settings.types);
  // Proofs share their trees' upper levels across chunks; the walker's memory is bounded.
  const walkProof = createProofWalker();
  const checker = settings.statusLists ? createStatusListChecker(settings.statusLists, settings.now) : undefined;
  const ready: VerifiedItem[] = [];
  let wake: (() => void) | undefined;
  let inFlight = 0;
  let producing = true;
  let failure: { error: unknown } | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  /** Results out as soon as decided; `offset` maps a chunk's items to input positions, and forgets them once out. */
  const emit = (items: Item[], offset: Map<Item, number>) => {
    for (const item of items) {
      const index = offset.get(item);
      if (index === undefined) continue;
      offset.delete(item);
      let result: VerificationResult;
      try {
        result = conclude(item, settings.now);
      } catch {
        result = unforeseen();
      }
      ready.push({ index, result });
    }
    notify();
  };

  /** Types are resolved (from the bundle, allowed hosts and the registry) before the schema check. */
  async function settle(items: Item[], offset: Map<Item, number>) {
    if (items.length === 0) return;
    await resolveTypes(items, resolver);
    emit(items, offset);
  }

  async function judgeGroup(reader: RegistryReader, items: Item[], offset: Map<Item, number>) {
    const session = sessionOf(reader);
    const head = await readChain(session, items);
    await judgeRead(items, head, settings.minConfirmations, checker);
    await settle(items, offset);
  }

  async function judgeChunk(items: Item[], offset: Map<Item, number>) {
    const byReader = new Map<RegistryReader, Item[]>();
    const open: Item[] = [];
    const decided: Item[] = [];
    for (const item of items) {
      if (item.reader && !failed(item, "anchor")) addTo(byReader, item.reader, item);
      else if (item.candidates && !failed(item, "anchor")) open.push(item);
      else decided.push(item);
    }
    const groups = [settle(decided, offset), ...[...byReader].map(([reader, group]) => judgeGroup(reader, group, offset))];
    if (open.length > 0) {
      groups.push(
        attributeByRoot(open, sessionOf).then(async () => {
          const attributed = new Map<RegistryReader, Item[]>();
          const rest: Item[] = [];
          for (const item of open) {
            if (item.reader && !failed(item, "anchor")) addTo(attributed, item.reader, item);
            else rest.push(item);
          }
          await Promise.all([settle(rest, offset), ...[...attributed].map(([reader, group]) => judgeGroup(reader, group, offset))]);
        }),
      );
    }
    await Promise.all(groups);
  }

  const produce = async () => {
    let start = 0;
    try {
      for await (const inputsOfChunk of chunksOf(inputs)) {
        while (inFlight >= CHUNKS_IN_FLIGHT && !stop.signal.aborted) await new Promise<void>((resolve) => (wake = chainWake(wake, resolve)));
        if (stop.signal.aborted) break;
        const items = inputsOfChunk.map(inspectSafely);
        for (const item of items) locateAnchor(item, settings.readers, walkProof);
        inFlight++;
        const offset = new Map(items.map((item, i) => [item, start + i]));
        judgeChunk(items, offset)
          // A fault no check foresaw still leaves a verdict for every input of the chunk.
          .catch(() => {
            for (const [, index] of offset) ready.push({ index, result: unforeseen() });
            offset.clear();
          })
          .finally(() => {
            inFlight--;
            notify();
          });
        start += items.length;
        // Let this chunk's requests go out before the next chunk occupies the thread.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    } catch (error) {
      failure ??= { error };
    } finally {
      producing = false;
      notify();
    }
  };
  const production = produce();

  try {
    for (;;) {
      while (ready.length > 0) yield ready.shift()!;
      if (failure) throw failure.error;
      if (!producing && inFlight === 0) break;
      await new Promise<void>((resolve) => (wake = chainWake(wake, resolve)));
    }
    await production;
  } finally {
    // The consumer stopped early (break, throw): abandon the reads still outstanding.
    stop.abort();
  }
}

function addTo<K, V>(groups: Map<K, V[]>, key: K, value: V): void {
  const group = groups.get(key);
  if (group) group.push(value);
  else groups.set(key, [value]);
}

function unforeseen(): VerificationResult {
  const item: Item = { checks: new Map(), result: blankResult([]) };
  fail(item, "FORMAT_MALFORMED", "the input could not be verified");
  return finish(item);
}

/** Both the producer and the consumer may wait at once: one wake-up call reaches both. */
const chainWake = (previous: (() => void) | undefined, next: () => void) => (previous ? () => (previous(), next()) : next);

function anySignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const abort = () => controller.abort(a.aborted ? a.reason : b.reason);
  if (a.aborted || b.aborted) abort();
  a.addEventListener("abort", abort, { once: true });
  b.addEventListener("abort", abort, { once: true });
  return controller.signal;
}

/**
 * Verifies many certificate files (envelopes or presentations) sharing chain reads: per trusted
 * registry one identity check, one block-number read and one context read per distinct root for
 * the whole call, and statuses in calls of 1,000. Registries are read in parallel, each within
 * its own deadline. Never throws on hostile input: every input gets a result, in input order
 * (use {@link verifyEach} to receive each one as soon as it is decided). Throws `CertchainError`
 * TRUST_LIST_AMBIGUOUS when the trust list's entries cannot be told apart.
 *
 * @example
 * const results = await verifyMany(files, { registries: [{ chainId: 31337, address, id, rpcUrl, name: "上海市" }] });
 * results.filter((r) => r.verdict !== "valid").forEach((r) => console.log(r.reason?.code));
 */
export async function verifyMany(inputs: readonly unknown[], options: VerifyOptions): Promise<VerificationResult[]> {
  const list = readList(inputs);
  const results: VerificationResult[] = new Array(list.length);
  try {
    for await (const { index, result } of verifyEach(list, options)) results[index] = result;
  } catch (error) {
    // A trust list that cannot be told apart is the caller's configuration: said, not hidden.
    if (isCertchainError(error, "TRUST_LIST_AMBIGUOUS")) throw error;
    // A fault no check foresaw (hostile options, say) still leaves a verdict for every input.
    for (let i = 0; i < list.length; i++) results[i] ??= unforeseen();
  }
  return results;
}

/**
 * Verifies one certificate file (envelope or presentation, as an object or JSON text).
 * Never throws: hostile input comes back as a verdict with a reason.
 *
 * @example
 * const result = await verify(envelope, { registries: [{ chainId: 31337, address, rpcUrl }] });
 * if (result.verdict === "valid") console.log(result.issuer?.name, result.claims);
 */
export async function verify(input: unknown, options: VerifyOptions): Promise<VerificationResult> {
  const [result] = await verifyMany([input], options);
  return result;
}
