import { CertchainError } from "../errors";
import { toHex, type Hex } from "../lib/bytes";
import { keccak256 } from "../lib/hash";

/** A display text, Chinese first: the share and verify pages show `zh-CN` unless asked otherwise. */
export interface LocalisedText {
  readonly "zh-CN": string;
  readonly en: string;
}

/** One JSON Schema (draft 2020-12) node. Kept open: validateClaims (schema-problems.ts), not TypeScript, is the judge of schemas. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** The subject-claims schema of a certificate type: a closed object with at least one example. */
export interface JsonSchemaObject extends JsonSchema {
  readonly $schema?: string;
  readonly type: "object";
  readonly properties: { readonly [claim: string]: JsonSchema };
  readonly required?: readonly string[];
  readonly additionalProperties: false;
  /** The first example is a complete claim set (every property present): tests, demos and docs use it. */
  readonly examples: readonly { readonly [claim: string]: unknown }[];
}

/** A certificate type: its ids, names, claim labels and the JSON Schema its subject claims must fit. */
export interface CertificateType {
  /** Slug, e.g. `business-licence`. */
  readonly id: string;
  /** SD-JWT VC type, `urn:certchain:vct:<id>:<version>`; its keccak256 is the on-chain type id. */
  readonly vct: string;
  /** `[0-9A-Z]{4}`: the type segment of certificate numbers. */
  readonly typeCode: string;
  readonly names: LocalisedText;
  /** Display labels of the subject claims, in display order; exactly one per schema property. */
  readonly claims: { readonly [claim: string]: LocalisedText };
  readonly schema: JsonSchemaObject;
}

/** The `$schema` every certificate type's schema declares. */
export const JSON_SCHEMA_DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema";

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const TYPE_CODE = /^[0-9A-Z]{4}$/;
const CLAIM_NAME = /^[a-z][a-z0-9_]*$/;
// Subject claims sit beside the JWT and SD-JWT VC registered claims in one payload; a clash
// would let a holder's disclosure shadow an always-visible claim.
const RESERVED_CLAIMS = new Set(["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "vct", "cnf", "status", "certificate_number"]);

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isLocalisedText = (value: unknown): value is LocalisedText =>
  isPlainObject(value) && typeof value["zh-CN"] === "string" && value["zh-CN"] !== "" && typeof value.en === "string" && value.en !== "";

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Every reason a definition is inconsistent, so a failing definition is fixed in one pass. */
function problemsOf(def: CertificateType): string[] {
  const problems: string[] = [];
  if (typeof def.id !== "string" || !SLUG.test(def.id)) problems.push("id must be a lowercase slug");
  else if (typeof def.vct !== "string" || !new RegExp(`^urn:certchain:vct:${escapeRegExp(def.id)}:[1-9][0-9]*$`).test(def.vct))
    problems.push(`vct must be urn:certchain:vct:${def.id}:<version>`);
  if (typeof def.typeCode !== "string" || !TYPE_CODE.test(def.typeCode)) problems.push("typeCode must match [0-9A-Z]{4}");
  if (!isPlainObject(def.names) || !isLocalisedText(def.names)) problems.push("names needs non-empty zh-CN and en");

  const schema = def.schema;
  if (!isPlainObject(schema) || schema.type !== "object" || schema.additionalProperties !== false || !isPlainObject(schema.properties)) {
    problems.push("schema must be a closed object schema (type object, properties, additionalProperties: false)");
    return problems;
  }
  const properties = Object.keys(schema.properties);
  if (properties.length === 0) problems.push("schema has no properties");
  for (const name of properties) {
    if (!CLAIM_NAME.test(name)) problems.push(`claim ${name} is not snake_case`);
    if (RESERVED_CLAIMS.has(name)) problems.push(`claim ${name} is a reserved JWT claim`);
  }
  const required: readonly unknown[] = schema.required === undefined ? [] : Array.isArray(schema.required) ? schema.required : [schema.required];
  for (const name of required) if (!properties.includes(name as string)) problems.push(`required claim ${String(name)} is not a property`);

  const labels = isPlainObject(def.claims) ? def.claims : {};
  for (const name of properties) if (!isLocalisedText(labels[name])) problems.push(`claim ${name} has no zh-CN/en label`);
  for (const name of Object.keys(labels)) if (!properties.includes(name)) problems.push(`label ${name} is not a schema property`);

  const examples: readonly unknown[] = Array.isArray(schema.examples) ? schema.examples : [];
  if (examples.length === 0 || !examples.every(isPlainObject)) problems.push("schema.examples needs at least one claim object");
  else for (const name of properties) if (!(name in (examples[0] as object))) problems.push(`first example lacks claim ${name}`);
  return problems;
}

/**
 * Checks a certificate type for consistency and returns a deeply frozen copy whose schema
 * declares draft 2020-12. Example validity is not checked here: that needs a compiled schema,
 * which is deferred to first use (see validateClaims) and covered by tests.
 *
 * @throws CertchainError `CERT_TYPE_INVALID` listing every problem in `details.problems`.
 * @example
 * export const fishingLicence = defineCertificateType({
 *   id: "fishing-licence", vct: "urn:certchain:vct:fishing-licence:1", typeCode: "BLXK",
 *   names: { "zh-CN": "捕捞许可证", en: "Fishing licence" },
 *   claims: { vessel_name: { "zh-CN": "船名", en: "Vessel name" } },
 *   schema: { type: "object", properties: { vessel_name: { type: "string" } }, required: ["vessel_name"],
 *             additionalProperties: false, examples: [{ vessel_name: "浙岱渔03512" }] },
 * });
 */
export function defineCertificateType(def: CertificateType): CertificateType {
  const problems = isPlainObject(def) ? problemsOf(def) : ["definition must be an object"];
  if (problems.length > 0) {
    const id = isPlainObject(def) ? String(def.id) : "?";
    throw new CertchainError("CERT_TYPE_INVALID", `certificate type ${id}: ${problems.join("; ")}`, { details: { id, problems } });
  }
  // A private copy, so a caller mutating its literal later cannot change a registered type.
  const copy = structuredClone(def);
  return deepFreeze({ ...copy, schema: { $schema: JSON_SCHEMA_DRAFT_2020_12, ...copy.schema } });
}

// Verifying a batch asks for the same few ids thousands of times.
const typeIds = new Map<string, Hex>();

/**
 * The on-chain type id: keccak256 of the UTF-8 `vct` (equal to ethers' `id(vct)` and
 * Solidity's `keccak256(bytes(vct))`).
 *
 * @example
 * typeIdOf("urn:certchain:vct:business-licence:1"); // "0x…" (32 bytes)
 */
export function typeIdOf(vct: string): Hex {
  if (typeof vct !== "string") throw new CertchainError("VCT_INVALID", "vct must be a string");
  let id = typeIds.get(vct);
  if (id === undefined) {
    id = toHex(keccak256(vct));
    if (typeIds.size < 1024) typeIds.set(vct, id);
  }
  return id;
}
