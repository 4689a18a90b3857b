import { Validator, type Schema } from "@cfworker/json-schema";
import { CertchainError } from "../errors";
import { sha256 as nobleSha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import { base64Encode, fromHex, toHex, utf8, type Hex } from "../lib/bytes";
import { sha256 } from "../lib/hash";
import type { CertificateType, JsonSchemaObject, LocalisedText } from "./define";
import { JSON_SCHEMA_DRAFT_2020_12 } from "./define";
import { schemaProblemsAt, type PointedProblem } from "./schema-problems";

/**
 * A claim path (SD-JWT VC Type Metadata, "Claim Path"): a string selects an object member, `null`
 * every element of an array, a non-negative integer one element.
 */
export type ClaimPath = readonly (string | null | number)[];

/** One locale's label of a claim (`claims[].display[]`). */
export interface ClaimDisplayMetadata {
  readonly locale: string;
  readonly label: string;
  readonly description?: string;
}

/** One entry of a Type Metadata document's `claims`. */
export interface ClaimMetadata {
  readonly path: ClaimPath;
  readonly display?: readonly ClaimDisplayMetadata[];
  /** `always`: a disclosure of its own; `never`: always visible; `allowed` (default): the issuer decides. */
  readonly sd?: "always" | "allowed" | "never";
  readonly mandatory?: boolean;
  readonly [member: string]: unknown;
}

/**
 * A certificate type as an SD-JWT VC Type Metadata document (draft-ietf-oauth-sd-jwt-vc), with
 * certchain's extension members: the national type code, the top-level claim order and the JSON
 * Schema of the claims (draft -12 removed `schema` from Type Metadata; see docs/format-v2.md).
 */
export interface TypeMetadataDocument {
  readonly vct: string;
  readonly name?: string;
  readonly description?: string;
  readonly display?: readonly { readonly locale: string; readonly name: string; readonly description?: string; readonly [member: string]: unknown }[];
  readonly claims?: readonly ClaimMetadata[];
  readonly "certchain:type_code": string;
  readonly "certchain:claim_order": readonly string[];
  readonly "certchain:schema": JsonSchemaObject;
  readonly [member: string]: unknown;
}

/** A claim's labels, by path, as a page shows them. */
export interface ClaimLabel {
  readonly path: ClaimPath;
  readonly label: LocalisedText;
  /** The claim is a disclosure of its own (`sd: "always"`). */
  readonly selective: boolean;
}

/** A certificate type read from its Type Metadata document. */
export interface TypeFromMetadata extends CertificateType {
  /** The document, deeply frozen. */
  readonly metadata: TypeMetadataDocument;
  /** The document's bytes: its compact JSON serialization, hashed for the registry and `vct#integrity`. */
  readonly metadataText: string;
  /** `sha256-<base64>` (W3C Subresource Integrity), the credential's `vct#integrity`. */
  readonly integrity: string;
  /** SHA-256 of the document's bytes, as the registry stores it. */
  readonly metadataHash: Hex;
  /** Version number from the `vct` (`…:2`, `…/2`), when it has one. */
  readonly version?: number;
  /** Every labelled claim path, top-level and nested, in document order. */
  readonly claimLabels: readonly ClaimLabel[];
}

const MAX_DOCUMENT_BYTES = 64 * 1024;
const MAX_PATH_DEPTH = 16;
const TYPE_CODE = /^[0-9A-Z]{4}$/;
const CLAIM_NAME = /^[a-z][a-z0-9_]*$/;
const LOCALE = /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const REQUIRED_LOCALES = ["zh-CN", "en"] as const;
// Claims every credential shows, or that SD-JWT and SD-JWT VC reserve: no subject claim may use them.
const RESERVED_CLAIMS = new Set(["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "vct", "vct#integrity", "cnf", "status", "certificate_number", "_sd", "_sd_alg"]);
const SD_VALUES = new Set(["always", "allowed", "never"]);

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const escape = (key: string): string => key.replace(/~/g, "~0").replace(/\//g, "~1");
const isNonEmptyText = (value: unknown, max: number): value is string => typeof value === "string" && value.trim() !== "" && value.length <= max;

/** The bytes of a Type Metadata document: its compact JSON serialization, members in the order written. */
export const typeMetadataText = (document: TypeMetadataDocument | Record<string, unknown>): string => JSON.stringify(document);

/**
 * The W3C Subresource Integrity value and the registry's hash of a Type Metadata document's bytes.
 *
 * @example
 * const { integrity, hash } = typeMetadataDigest(text); // "sha256-…", "0x…"
 */
export function typeMetadataDigest(text: string | Uint8Array): { integrity: string; hash: Hex } {
  const digest = sha256(typeof text === "string" ? utf8(text) : text);
  return { integrity: `sha256-${base64Encode(digest)}`, hash: toHex(digest) };
}

/** The `<id>` and version a certchain `vct` names: `urn:certchain:vct:<id>:<n>` or `<origin>/…/types/<id>/<n>`. */
export function typeIdentityOf(vct: string): { id: string; version?: number } {
  const urn = /^urn:certchain:vct:([a-z0-9]+(?:-[a-z0-9]+)*):([1-9][0-9]{0,8})$/.exec(vct);
  if (urn) return { id: urn[1], version: Number(urn[2]) };
  const url = /^https?:\/\/[^?#]*\/types\/([a-z0-9]+(?:-[a-z0-9]+)*)\/([1-9][0-9]{0,8})$/.exec(vct);
  if (url) return { id: url[1], version: Number(url[2]) };
  return { id: vct };
}

interface SchemaNode {
  schema: Record<string, unknown>;
  /** Claim path of this node. */
  path: (string | null)[];
}

/** Every claim location the schema defines: object members and array elements, at every depth. */
function schemaLocations(root: Record<string, unknown>): SchemaNode[] {
  const out: SchemaNode[] = [];
  const walk = (schema: unknown, path: (string | null)[]) => {
    if (!isPlainObject(schema) || path.length > MAX_PATH_DEPTH) return;
    if (path.length > 0) out.push({ schema, path });
    if (isPlainObject(schema.properties)) for (const [name, child] of Object.entries(schema.properties)) walk(child, [...path, name]);
    if (isPlainObject(schema.items)) walk(schema.items, [...path, null]);
  };
  walk(root, []);
  return out;
}

const pathKey = (path: ClaimPath): string => JSON.stringify(path.map((segment) => (typeof segment === "number" ? null : segment)));

function displayProblems(display: unknown, at: string, field: "name" | "label", problems: PointedProblem[]): void {
  if (!Array.isArray(display)) {
    problems.push({ pointer: at, message: "must be an array of { locale, " + field + " }" });
    return;
  }
  const seen = new Set<string>();
  display.forEach((entry, i) => {
    const where = `${at}/${i}`;
    if (!isPlainObject(entry)) return problems.push({ pointer: where, message: "must be an object" });
    if (typeof entry.locale !== "string" || !LOCALE.test(entry.locale)) problems.push({ pointer: `${where}/locale`, message: "must be a language tag (RFC 5646), e.g. zh-CN" });
    else if (seen.has(entry.locale)) problems.push({ pointer: `${where}/locale`, message: `locale ${entry.locale} appears twice` });
    else seen.add(entry.locale);
    if (!isNonEmptyText(entry[field], 256)) problems.push({ pointer: `${where}/${field}`, message: "must be a non-empty string of at most 256 characters" });
    if (entry.description !== undefined && !isNonEmptyText(entry.description, 2000)) problems.push({ pointer: `${where}/description`, message: "must be a non-empty string" });
  });
  for (const locale of REQUIRED_LOCALES) if (!seen.has(locale)) problems.push({ pointer: at, message: `needs an entry for ${locale}` });
}

function claimSchemaProblems(schema: unknown, at: string, problems: PointedProblem[], bounds: boolean): schema is JsonSchemaObject {
  if (!isPlainObject(schema) || schema.type !== "object" || schema.additionalProperties !== false || !isPlainObject(schema.properties)) {
    problems.push({ pointer: at, message: "must be a closed object schema (type object, properties, additionalProperties: false)" });
    return false;
  }
  const before = problems.length;
  problems.push(...schemaProblemsAt(schema, at, { bounds }));
  const properties = Object.keys(schema.properties);
  if (properties.length === 0) problems.push({ pointer: `${at}/properties`, message: "has no properties" });
  for (const name of properties) {
    const where = `${at}/properties/${escape(name)}`;
    if (!CLAIM_NAME.test(name)) problems.push({ pointer: where, message: "claim names are snake_case (a-z, 0-9, _)" });
    if (RESERVED_CLAIMS.has(name)) problems.push({ pointer: where, message: `${name} is a reserved claim` });
  }
  const required: unknown[] = Array.isArray(schema.required) ? schema.required : [];
  required.forEach((name, i) => {
    if (!properties.includes(name as string)) problems.push({ pointer: `${at}/required/${i}`, message: `${String(name)} is not a property` });
  });
  if (schema.$schema !== undefined && schema.$schema !== JSON_SCHEMA_DRAFT_2020_12) problems.push({ pointer: `${at}/$schema`, message: `must be ${JSON_SCHEMA_DRAFT_2020_12}` });
  if (problems.length > before) return false;

  const examples: unknown[] = Array.isArray(schema.examples) ? schema.examples : [];
  if (examples.length === 0) {
    problems.push({ pointer: `${at}/examples`, message: "needs at least one example claim set" });
    return false;
  }
  for (const name of properties) {
    if (!isPlainObject(examples[0]) || !(name in examples[0])) problems.push({ pointer: `${at}/examples/0`, message: `the first example is a complete claim set and lacks ${name}` });
  }
  // Interpreted, never compiled: the schema arrives as data.
  const validator = new Validator(structuredClone(schema) as Schema, "2020-12", false);
  examples.forEach((example, i) => {
    let valid = false;
    try {
      valid = validator.validate(example).valid;
    } catch {
      valid = false;
    }
    if (!valid) problems.push({ pointer: `${at}/examples/${i}`, message: "does not fit the schema" });
  });
  return problems.length === before;
}

function claimsProblems(claims: unknown, schema: JsonSchemaObject | undefined, problems: PointedProblem[]): void {
  if (!Array.isArray(claims)) {
    problems.push({ pointer: "/claims", message: "must be an array of claim metadata" });
    return;
  }
  const locations = schema ? new Map(schemaLocations(schema).map((node) => [pathKey(node.path), node])) : undefined;
  const required = new Set<string>(schema && Array.isArray(schema.required) ? schema.required : []);
  const labelled = new Set<string>();
  claims.forEach((entry, i) => {
    const at = `/claims/${i}`;
    if (!isPlainObject(entry)) return problems.push({ pointer: at, message: "must be an object" });
    const path = entry.path;
    const validPath =
      Array.isArray(path) &&
      path.length > 0 &&
      path.length <= MAX_PATH_DEPTH &&
      // Indexes (allowed by the draft) are left out: a type describes every element alike, and
      // @sd-jwt/sd-jwt-vc 0.19.0 refuses documents whose paths hold numbers.
      path.every((s) => typeof s === "string" || s === null);
    if (!validPath) return problems.push({ pointer: `${at}/path`, message: "must be a non-empty array of strings and nulls (null: every element of an array)" });
    const key = pathKey(path as ClaimPath);
    if (labelled.has(key)) problems.push({ pointer: `${at}/path`, message: "another entry has the same path" });
    labelled.add(key);
    if (entry.display === undefined) problems.push({ pointer: `${at}/display`, message: "every claim needs zh-CN and en labels" });
    else displayProblems(entry.display, `${at}/display`, "label", problems);
    if (entry.sd !== undefined && !SD_VALUES.has(entry.sd as string)) problems.push({ pointer: `${at}/sd`, message: "must be always, allowed or never" });
    if (entry.mandatory !== undefined && typeof entry.mandatory !== "boolean") problems.push({ pointer: `${at}/mandatory`, message: "must be a boolean" });
    if (locations === undefined) return;

    const top = path.length === 1 && typeof path[0] === "string";
    if (top && path[0] === "certificate_number") {
      if (entry.sd !== "never") problems.push({ pointer: `${at}/sd`, message: "the certificate number is always visible: sd must be never" });
      return;
    }
    if (!locations.has(key)) return problems.push({ pointer: `${at}/path`, message: "names no claim of certchain:schema" });
    if (top) {
      if (entry.sd !== "always") problems.push({ pointer: `${at}/sd`, message: "every top-level claim is selectively disclosable: sd must be always" });
      if ((entry.mandatory === true) !== required.has(path[0] as string)) {
        problems.push({ pointer: `${at}/mandatory`, message: "mandatory must be true exactly for the claims the schema requires" });
      }
    }
  });
  if (locations) {
    for (const [key, node] of locations) {
      if (!labelled.has(key)) problems.push({ pointer: "/claims", message: `no labels for claim ${JSON.stringify(node.path)}` });
    }
  }
}

/**
 * Every reason a document is not a usable certchain Type Metadata document, each with the JSON
 * Pointer (RFC 6901) of the fault; none means it is usable. Checks the SD-JWT VC members
 * (`vct`, `display` with zh-CN and en, `claims` with paths, labels and `sd`) and ours: the type
 * code, the claim order and the JSON Schema (closed, supported keywords only, examples that fit).
 * Every claim the schema defines, at every depth, must have labels. With `bounds` (a type
 * registered now), the schema must also bound its arrays (SCHEMA_BOUNDS).
 *
 * @example
 * typeMetadataProblems({ vct: "urn:certchain:vct:x:1" }); // [{ pointer: "/certchain:type_code", … }, …]
 */
export function typeMetadataProblems(document: unknown, options: { vct?: "required" | "absent"; bounds?: boolean } = {}): PointedProblem[] {
  const problems: PointedProblem[] = [];
  if (!isPlainObject(document)) return [{ pointer: "", message: "must be a JSON object" }];
  const text = JSON.stringify(document);
  if (utf8(text).length > MAX_DOCUMENT_BYTES) return [{ pointer: "", message: `must be at most ${MAX_DOCUMENT_BYTES} bytes` }];

  if ((options.vct ?? "required") === "required") {
    if (!isNonEmptyText(document.vct, 512)) problems.push({ pointer: "/vct", message: "must be a non-empty string of at most 512 characters" });
  } else if (document.vct !== undefined) problems.push({ pointer: "/vct", message: "is assigned by the service: leave it out" });
  if (document.name !== undefined && !isNonEmptyText(document.name, 256)) problems.push({ pointer: "/name", message: "must be a non-empty string" });
  if (document.description !== undefined && !isNonEmptyText(document.description, 2000)) problems.push({ pointer: "/description", message: "must be a non-empty string" });
  if (document.extends !== undefined) problems.push({ pointer: "/extends", message: "extending other types is not supported" });
  if (document.display === undefined) problems.push({ pointer: "/display", message: "needs names in zh-CN and en" });
  else displayProblems(document.display, "/display", "name", problems);

  const code = document["certchain:type_code"];
  if (typeof code !== "string" || !TYPE_CODE.test(code)) problems.push({ pointer: "/certchain:type_code", message: "must be four characters 0-9 or A-Z" });

  const schema = document["certchain:schema"];
  const usableSchema = claimSchemaProblems(schema, "/certchain:schema", problems, options.bounds === true) ? (schema as JsonSchemaObject) : undefined;
  claimsProblems(document.claims, usableSchema, problems);

  const order = document["certchain:claim_order"];
  if (!Array.isArray(order) || !order.every((name) => typeof name === "string")) {
    problems.push({ pointer: "/certchain:claim_order", message: "must be an array of the schema's top-level claim names" });
  } else if (usableSchema) {
    const properties = Object.keys(usableSchema.properties);
    if (order.length !== properties.length || new Set(order).size !== order.length || !properties.every((name) => order.includes(name))) {
      problems.push({ pointer: "/certchain:claim_order", message: "must name each top-level claim of certchain:schema exactly once" });
    }
  }
  return problems;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const localised = (display: readonly { locale: string }[] | undefined, field: "name" | "label"): LocalisedText => {
  const pick = (locale: string) => (display?.find((d) => d.locale === locale) as Record<string, string> | undefined)?.[field] ?? "";
  return { "zh-CN": pick("zh-CN"), en: pick("en") };
};

/**
 * Reads a Type Metadata document (the object, or its exact text) into a certificate type:
 * names, labels, schema and type code for validation and display, plus the document itself,
 * its integrity value and hash. Text is hashed as given; an object is hashed as its compact
 * JSON serialization.
 *
 * @throws CertchainError `CERT_TYPE_INVALID` with `details.problems` ({ pointer, message }[]).
 * @example
 * const type = certificateTypeFromMetadata(await (await fetch(vct)).text());
 * type.integrity; // "sha256-…" — compare with the credential's vct#integrity
 */
export function certificateTypeFromMetadata(input: TypeMetadataDocument | string): TypeFromMetadata {
  let document: unknown = input;
  let text: string;
  if (typeof input === "string") {
    text = input;
    try {
      document = JSON.parse(input);
    } catch {
      throw new CertchainError("CERT_TYPE_INVALID", "type metadata is not JSON", { details: { problems: [{ pointer: "", message: "not JSON" }] } });
    }
  } else {
    text = typeMetadataText(input);
  }
  const problems = typeMetadataProblems(document);
  if (problems.length > 0) {
    const vct = isPlainObject(document) ? String(document.vct) : "?";
    throw new CertchainError("CERT_TYPE_INVALID", `type metadata of ${vct}: ${problems.slice(0, 5).map((p) => `${p.pointer || "/"} ${p.message}`).join("; ")}`, {
      details: { vct, problems },
    });
  }
  const metadata = deepFreeze(JSON.parse(text) as TypeMetadataDocument);
  const { id, version } = typeIdentityOf(metadata.vct);
  const { integrity, hash } = typeMetadataDigest(text);
  const claimLabels = (metadata.claims ?? []).map((claim) => ({ path: claim.path, label: localised(claim.display, "label"), selective: claim.sd === "always" }));
  const topLabel = (name: string) => claimLabels.find((c) => c.path.length === 1 && c.path[0] === name)!.label;
  const schema = metadata["certchain:schema"];
  return deepFreeze({
    id: SLUG.test(id) ? id : metadata.vct,
    vct: metadata.vct,
    typeCode: metadata["certchain:type_code"],
    names: localised(metadata.display, "name"),
    claims: Object.fromEntries(metadata["certchain:claim_order"].map((name) => [name, topLabel(name)])),
    schema: schema.$schema === undefined ? { $schema: JSON_SCHEMA_DRAFT_2020_12, ...schema } : schema,
    metadata,
    metadataText: text,
    integrity,
    metadataHash: hash,
    ...(version !== undefined ? { version } : {}),
    claimLabels,
  });
}

/**
 * Whether an SRI value names the document with this SHA-256 (hex), decided without the document:
 * undefined when its strongest algorithm is not sha256 (then only the document can tell).
 */
export function integrityNamesSha256(integrity: unknown, sha256Hex: string): boolean | undefined {
  const expressions = sriExpressions(integrity);
  if (expressions === undefined) return false;
  if (expressions.strongest !== "sha256") return undefined;
  const digest = base64Encode(fromHex(sha256Hex));
  return expressions.list.some((m) => m[1] === "sha256" && m[2] === digest);
}

function sriExpressions(integrity: unknown): { list: RegExpExecArray[]; strongest: "sha512" | "sha384" | "sha256" } | undefined {
  if (typeof integrity !== "string" || integrity.length > 4096) return undefined;
  const list = integrity
    .trim()
    .split(/\s+/)
    .map((token) => /^(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})(\?.*)?$/.exec(token))
    .filter((m): m is RegExpExecArray => m !== null);
  const strongest = (["sha512", "sha384", "sha256"] as const).find((alg) => list.some((m) => m[1] === alg));
  return strongest === undefined ? undefined : { list, strongest };
}

const SRI_HASHES = { sha512, sha384, sha256: nobleSha256 } as const;

/**
 * Whether a text is the exact document a W3C SRI `integrity` value names, verified as
 * draft-ietf-oauth-sd-jwt-vc ("Integrity of Referenced Documents") says: the expressions of the
 * strongest algorithm present (sha512, sha384, sha256) are used, and any one of them matching is enough.
 */
export function matchesIntegrity(text: string | Uint8Array, integrity: unknown): boolean {
  const expressions = sriExpressions(integrity);
  if (expressions === undefined) return false;
  const { list, strongest } = expressions;
  const digest = base64Encode(SRI_HASHES[strongest](typeof text === "string" ? utf8(text) : text));
  return list.some((m) => m[1] === strongest && m[2] === digest);
}

/**
 * The nested claim paths a type makes disclosures of their own (`sd: "always"` below the top
 * level): what {@link issueCredential}'s `selectivePaths` takes for this type.
 *
 * @example
 * issueCredential({ …, selectivePaths: selectivePathsOf(marriageCertificate) });
 */
export function selectivePathsOf(type: Pick<TypeFromMetadata, "claimLabels"> | CertificateType): (string | null)[][] {
  const labels = (type as Partial<TypeFromMetadata>).claimLabels ?? [];
  return labels.filter((l) => l.selective && l.path.length > 1).map((l) => l.path.filter((s): s is string | null => typeof s !== "number"));
}
