import { parseCertificateNumber } from "../certificate-number";
import { algorithmFromChain } from "../credential/algorithms";
import { disclosedClaimsOf, subjectClaimsOf } from "../credential/disclosed-claims";
import { agencySlugOf } from "../credential/issuer-uri";
import { keyIdFromKid } from "../credential/key-id";
import { credentialLeaf } from "../credential/leaf";
import { parseCredential, type ParsedCredential } from "../credential/parse";
import { verifySignature } from "../credential/signature";
import { envelopeValueOf, parseEnvelope, type AnchorProof, type Envelope } from "../envelope/envelope";
import { isCertchainError } from "../errors";
import type { Hex } from "../lib/bytes";
import { processProof } from "../merkle/tree";
import { decodePaperPayload, isPaperPayload } from "../paper/payload";
import { createRegistryReader, type RegistryReader, type TrustedRegistry } from "../registry/reader";
import type { StatusRecord, VerificationContextRecord } from "../registry/types";
import { findTypeByVct, typeIdOf, validateClaims } from "../types";
import { CHECKS, VERIFY_CODES, messageOf, type CheckName, type VerifyCode } from "./codes";
import { blankResult, type CheckResult, type VerificationResult } from "./result";
import { UnreadableInput, snapshotOf } from "./snapshot";
import { decideVerdict } from "./verdict";

/** What to trust and when: the options of `verify`, `verifyMany` and `verifyDocument`. */
export interface VerifyOptions {
  /** The registries this verifier trusts (mutual recognition: several are fine). */
  registries: readonly (TrustedRegistry | RegistryReader)[];
  /** Blocks an anchor needs, counting its own (1 = mined). Default 1. */
  minConfirmations?: number;
  /** The time validity is judged at. Default: now. */
  now?: Date | number;
}

/** One certificate's way through the pipeline. */
interface Item {
  checks: Map<CheckName, CheckResult>;
  result: VerificationResult;
  envelope?: Envelope;
  parsed?: ParsedCredential;
  claims?: Record<string, unknown>;
  slug?: string;
  keyId?: Hex;
  typeId?: Hex;
  /** The certificate number's segments, when it is a national e-licence number. */
  number?: { typeCode: string; issuerCode: string };
  reader?: RegistryReader;
  contextKey?: string;
  context?: VerificationContextRecord;
  status?: StatusRecord;
  /** Whether the chain shows the envelope's transaction anchoring its root. */
  transactionConfirmed?: boolean;
}

const iso = (seconds: unknown): string | null =>
  typeof seconds === "number" && Number.isFinite(seconds) && Math.abs(seconds) < 8.64e12 ? new Date(seconds * 1000).toISOString() : null;

const pass = (item: Item, name: CheckName) => item.checks.set(name, { name, status: "passed" });
const fail = (item: Item, code: VerifyCode, message: string = messageOf(code)) => {
  const name = VERIFY_CODES[code][0];
  if (item.checks.get(name)?.status !== "failed") item.checks.set(name, { name, status: "failed", code, message });
};
const failed = (item: Item, name: CheckName) => item.checks.get(name)?.status === "failed";

function failWith(item: Item, error: unknown, fallback: VerifyCode) {
  const code = isCertchainError(error) && Object.hasOwn(VERIFY_CODES, error.code) ? (error.code as VerifyCode) : fallback;
  fail(item, code, isCertchainError(error) ? error.message : messageOf(code));
}

const isReader = (r: TrustedRegistry | RegistryReader): r is RegistryReader => typeof (r as RegistryReader).statuses === "function";

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
  const item: Item = { checks: new Map(), result: blankResult() };
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
  const type = findTypeByVct(payload.vct);
  item.result.certificate = {
    number,
    vct: payload.vct,
    type: type ? { id: type.id, names: type.names } : null,
    leaf: credentialLeaf(item.envelope.credential),
    issuedAt: iso(payload.iat),
    validFrom: iso(payload.nbf),
    validUntil: iso(payload.exp),
  };

  try {
    item.claims = disclosedClaimsOf(item.parsed);
    pass(item, "integrity");
    const subject = subjectClaimsOf(item.claims);
    item.result.claims = subject;
    if (type) item.result.withheld = Object.keys(type.claims).filter((name) => !(name in subject));
  } catch (error) {
    failWith(item, error, "FORMAT_MALFORMED");
  }
  return item;
}

/** Picks the trusted registry the envelope names and checks the proof reaches the stated root. */
function locateAnchor(item: Item, readers: readonly RegistryReader[], memo: Map<string, Hex>) {
  if (!item.envelope || !item.result.certificate || failed(item, "integrity")) return;
  const anchor = item.envelope.anchor;
  if (anchor.status === "pending") return fail(item, "ANCHOR_PENDING");
  const reader = readers.find((r) => r.chainId === anchor.chainId && r.address.toLowerCase() === anchor.registry.toLowerCase());
  if (!reader) return fail(item, "ANCHOR_UNTRUSTED_REGISTRY");
  item.reader = reader;
  item.result.registry = { chainId: reader.chainId, address: reader.address, name: reader.name };
  if (processProof(item.result.certificate.leaf, anchor.proof, memo) !== anchor.root.toLowerCase()) {
    fail(item, "ANCHOR_PROOF_INVALID");
  }
  item.contextKey = `${anchor.root.toLowerCase()}|${item.keyId}|${item.typeId}`;
}

/** What one verifyMany call has read from one registry, shared by all its chunks. */
interface RegistrySession {
  reader: RegistryReader;
  head?: Promise<number>;
  contexts: Map<string, Promise<VerificationContextRecord>>;
  /** Whether an envelope's transaction anchored its root, per distinct (root, transaction). */
  transactions: Map<string, Promise<boolean>>;
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
  const read = typeof check === "function" ? check.call(session.reader, [...fresh.values()]) : Promise.resolve([...fresh.values()].map(() => false));
  [...fresh.keys()].forEach((key, i) => session.transactions.set(key, read.then((answers) => answers[i] === true, () => false)));
}

/**
 * The chain reads for a chunk of certificates of one registry: the block number once per call,
 * the context of each distinct (root, key, type) once per call, then the statuses under each
 * anchoring agency (statuses are recorded per agency, so one agency cannot touch another's
 * certificates), in calls of up to 1,000.
 */
async function readChain(session: RegistrySession, items: Item[]): Promise<number | undefined> {
  const { reader } = session;
  try {
    await reader.assertChain();
    const fresh = new Map<string, { root: Hex; keyId: Hex; typeId: Hex }>();
    for (const item of items) {
      if (session.contexts.has(item.contextKey!)) continue;
      const anchor = item.envelope!.anchor as AnchorProof;
      fresh.set(item.contextKey!, { root: anchor.root, keyId: item.keyId!, typeId: item.typeId! });
    }
    if (fresh.size > 0) {
      const read = reader.verificationContexts([...fresh.values()]);
      [...fresh.keys()].forEach((key, i) => {
        const context = read.then((contexts) => contexts[i]);
        // Awaited below by each chunk that needs it; a failure must not also surface as unhandled.
        context.catch(() => undefined);
        session.contexts.set(key, context);
      });
    }
    session.head ??= reader.blockNumber();
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
    await Promise.all(
      [...leavesByAgency].map(async ([agencyId, group]) => {
        const statuses = await reader.statuses(agencyId, group.map((i) => i.result.certificate!.leaf));
        group.forEach((item, i) => (item.status = statuses[i]));
      }),
    );
    for (const item of items) {
      const anchor = item.envelope!.anchor as AnchorProof;
      if (item.context?.anchor.anchoredAt) item.transactionConfirmed = await session.transactions.get(transactionKeyOf(anchor));
    }
    return head;
  } catch {
    for (const item of items) fail(item, "CHAIN_UNREACHABLE");
    return undefined;
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
  const typeCode = findTypeByVct(item.parsed!.payload.vct)?.typeCode;
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

async function judgeSignature(item: Item) {
  const key = item.context?.key;
  const alg = key && algorithmFromChain(key.alg);
  if (!key || !alg || alg !== item.parsed!.header.alg) return;
  const ok = await verifySignature(alg, key.publicKey, item.parsed!.signingInput, item.parsed!.signature);
  if (ok) pass(item, "signature");
  else fail(item, "SIGNATURE_INVALID");
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

function judgeSchema(item: Item) {
  const type = findTypeByVct(item.parsed!.payload.vct as string);
  if (!type) {
    item.checks.set("schema", { name: "schema", status: "skipped", code: "SCHEMA_TYPE_UNKNOWN", message: messageOf("SCHEMA_TYPE_UNKNOWN") });
    return;
  }
  // Presentations omit claims on purpose: judge the disclosed ones, not their presence.
  const outcome = validateClaims(type, item.result.claims, { partial: true });
  if (outcome.ok) pass(item, "schema");
  else fail(item, "SCHEMA_INVALID", `${messageOf("SCHEMA_INVALID")} ${outcome.errors.map((e) => `${e.path} ${e.message}`).join("; ")}`);
}

function finish(item: Item): VerificationResult {
  const checks = CHECKS.map((name) => item.checks.get(name) ?? { name, status: "skipped" as const });
  return { ...item.result, checks, ...decideVerdict(checks) };
}

/** Chain reads of one chunk overlap with parsing the next. */
const CHUNK = 2_000;

/** Everything after parsing, for one chunk: chain reads, then the judgements. */
async function judgeChunk(items: Item[], sessions: RegistrySession[], minConfirmations: number, now: number): Promise<void> {
  await Promise.all(
    sessions.map(async (session) => {
      const mine = items.filter((item) => item.reader === session.reader);
      if (mine.length === 0) return;
      const head = await readChain(session, mine);
      if (head === undefined) return;
      for (const item of mine) {
        if (!failed(item, "anchor")) judgeAnchor(item, head, minConfirmations);
        if (!failed(item, "anchor")) judgeIssuer(item);
        if (!failed(item, "anchor")) judgeStatus(item);
      }
      await Promise.all(mine.map(judgeSignature));
    }),
  );
  for (const item of items) {
    if (item.parsed && !failed(item, "format")) {
      judgeValidity(item, now);
      if (!failed(item, "integrity")) judgeSchema(item);
    }
  }
}

/** A last line of defence: an unforeseen fault still yields a verdict, never an exception. */
function inspectSafely(input: unknown): Item {
  try {
    return inspect(input);
  } catch {
    const item: Item = { checks: new Map(), result: blankResult() };
    fail(item, "FORMAT_MALFORMED");
    return item;
  }
}

/**
 * Verifies many certificate files (envelopes or presentations) sharing chain reads: per trusted
 * registry one block-number read and one context read per distinct root for the whole call, and
 * statuses in calls of 1,000. Never throws: every input gets a result, in input order.
 *
 * @example
 * const results = await verifyMany(files, { registries: [{ chainId: 31337, address, rpcUrl }] });
 * results.filter((r) => r.verdict !== "valid").forEach((r) => console.log(r.reason?.code));
 */
export async function verifyMany(inputs: readonly unknown[], options: VerifyOptions): Promise<VerificationResult[]> {
  const list = readList(inputs);
  const results: VerificationResult[] = new Array(list.length);
  try {
    const { readers, minConfirmations, now } = settingsOf(options);
    const sessions: RegistrySession[] = readers.map((reader) => ({ reader, contexts: new Map(), transactions: new Map() }));
    const proofMemo = new Map<string, Hex>();
    const chunks: Promise<void>[] = [];
    for (let start = 0; start < list.length; start += CHUNK) {
      const items = list.slice(start, start + CHUNK).map(inspectSafely);
      for (const item of items) locateAnchor(item, readers, proofMemo);
      chunks.push(
        judgeChunk(items, sessions, minConfirmations, now).then(() => {
          items.forEach((item, i) => (results[start + i] = finish(item)));
        }),
      );
      // Let this chunk's requests go out before the next chunk occupies the thread.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await Promise.all(chunks);
  } catch {
    // A fault no check foresaw (hostile options, say) still leaves a verdict for every input.
    for (let i = 0; i < list.length; i++) results[i] ??= unforeseen();
  }
  return results;
}

/** The caller's options, read once; a hostile or broken options object trusts no registry. */
function settingsOf(options: VerifyOptions): { readers: RegistryReader[]; minConfirmations: number; now: number } {
  let registries: readonly (TrustedRegistry | RegistryReader)[] = [];
  let minConfirmations = 1;
  let now = Math.floor(Date.now() / 1000);
  try {
    const given = options?.registries;
    registries = Array.isArray(given) ? [...given] : [];
    minConfirmations = Math.max(1, Number(options?.minConfirmations ?? 1) || 1);
    const at = Number(options?.now ?? Date.now());
    if (Number.isFinite(at)) now = Math.floor(at / 1000);
  } catch {
    registries = [];
  }
  return { readers: registries.map((r) => (isReader(r) ? r : createRegistryReader(r))), minConfirmations, now };
}

function unforeseen(): VerificationResult {
  const item: Item = { checks: new Map(), result: blankResult() };
  fail(item, "FORMAT_MALFORMED", "the input could not be verified");
  return finish(item);
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
