import { expect } from "chai";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { certificateTypes } from "@certchain/sdk";
import { bearer, buildTestApp, type TestApp } from "./support";

type Json = Record<string, any>;

interface Example {
  where: string;
  schema: Json;
  value: unknown;
}

const METHODS = ["get", "post", "put", "patch", "delete"];

/** Every example in a schema tree (`examples` arrays and `example`), each with the schema node it illustrates. */
function schemaExamples(schema: Json | undefined, where: string, found: Example[]): void {
  if (!schema || typeof schema !== "object") return;
  if (Array.isArray(schema.examples)) schema.examples.forEach((value: unknown, i: number) => found.push({ where: `${where} examples[${i}]`, schema, value }));
  if ("example" in schema) found.push({ where: `${where} example`, schema, value: schema.example });
  for (const [key, child] of Object.entries(schema.properties ?? {})) schemaExamples(child as Json, `${where}.${key}`, found);
  if (schema.items && typeof schema.items === "object") schemaExamples(schema.items, `${where}[]`, found);
  for (const keyword of ["anyOf", "oneOf", "allOf"]) (schema[keyword] ?? []).forEach((s: Json, i: number) => schemaExamples(s, `${where}.${keyword}[${i}]`, found));
}

/** Examples of a media object (`example`, `examples: { name: { value } }`) and of its schema. */
function mediaExamples(media: Json | undefined, where: string, found: Example[]): void {
  if (!media) return;
  if ("example" in media) found.push({ where: `${where} example`, schema: media.schema, value: media.example });
  for (const [name, example] of Object.entries<Json>(media.examples ?? {})) found.push({ where: `${where} examples.${name}`, schema: media.schema, value: example.value });
  schemaExamples(media.schema, `${where} schema`, found);
}

function allExamples(doc: Json): Example[] {
  const found: Example[] = [];
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const at = `${method.toUpperCase()} ${path}`;
      for (const parameter of op.parameters ?? []) {
        schemaExamples(parameter.schema, `${at} ${parameter.in} ${parameter.name}`, found);
        if ("example" in parameter) found.push({ where: `${at} ${parameter.in} ${parameter.name} example`, schema: parameter.schema, value: parameter.example });
      }
      for (const [type, media] of Object.entries<Json>(op.requestBody?.content ?? {})) mediaExamples(media, `${at} request ${type}`, found);
      for (const [status, response] of Object.entries<Json>(op.responses ?? {})) {
        for (const [type, media] of Object.entries<Json>(response.content ?? {})) mediaExamples(media, `${at} ${status} ${type}`, found);
      }
    }
  }
  return found;
}

describe("HTTP: /openapi.json can be used as it is", function () {
  let t: TestApp;
  let doc: Json;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  const check = (schema: Json, value: unknown) => {
    const validate = ajv.compile(schema);
    return validate(value) ? null : ajv.errorsText(validate.errors);
  };

  before(async () => {
    t = await buildTestApp();
    const res = await t.app.inject({ method: "GET", url: "/openapi.json" });
    expect(res.statusCode).to.equal(200);
    doc = res.json();
  });
  after(async () => t?.close());

  const operation = (method: string, path: string): Json => {
    const op = doc.paths[path]?.[method];
    if (!op) throw new Error(`no ${method} ${path} in the document (paths: ${Object.keys(doc.paths).join(", ")})`);
    return op;
  };

  it("/docs has the pages' security headers (issue 21, finding 5: none, and Chromium framed it cross-origin)", async () => {
    for (const url of ["/docs", "/docs/", "/docs/static/index.html"]) {
      const res = await t.app.inject({ method: "GET", url });
      if (res.statusCode >= 300 && res.statusCode < 400) continue;
      expect(res.statusCode, url).to.equal(200);
      const csp = String(res.headers["content-security-policy"]);
      expect(csp, url).to.include("frame-ancestors 'none'").and.include("object-src 'none'").and.include("script-src 'self'");
      expect(csp, url).to.not.include("unsafe-inline");
      expect(res.headers["x-frame-options"], url).to.equal("DENY");
      expect(res.headers["x-content-type-options"], url).to.equal("nosniff");
      expect(res.headers["referrer-policy"], url).to.equal("no-referrer");
    }
    const redirect = await t.app.inject({ method: "GET", url: "/docs" });
    expect(redirect.headers["x-frame-options"]).to.equal("DENY");
  });

  it("every example in the document fits its own schema", () => {
    const examples = allExamples(doc);
    expect(examples.length, "examples found").to.be.at.least(15);
    const misfits = examples.map((e) => ({ where: e.where, problem: check(e.schema, e.value) })).filter((e) => e.problem !== null);
    expect(misfits, JSON.stringify(misfits, null, 2)).to.deep.equal([]);
  });

  it("the issue request has one real example per certificate type, its claims taken from the type (never claims: {})", () => {
    const media = operation("post", "/v1/certificates/").requestBody.content["application/json"];
    const examples = media.examples as Record<string, { value: { type: string; claims: Json } }>;
    expect(Object.keys(examples).sort()).to.deep.equal(certificateTypes.map((t) => t.id).sort());
    for (const type of certificateTypes) {
      expect(examples[type.id].value).to.deep.equal({ type: type.id, claims: type.schema.examples[0] });
      expect(Object.keys(examples[type.id].value.claims)).to.not.be.empty;
    }
    for (const e of allExamples(doc)) expect(JSON.stringify(e.value), e.where).to.not.include('"claims":{}');
  });

  it("every response of every operation has its own description", () => {
    const missing: string[] = [];
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const method of METHODS) {
        for (const [status, response] of Object.entries<Json>(item[method]?.responses ?? {})) {
          if (!response.description || response.description === "Default Response") missing.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
    expect(missing).to.deep.equal([]);
  });

  it("the examples work against the live app: each certificate example issues (201), the batch and verify examples are accepted", async () => {
    const tokenFor: Record<string, string> = { "business-licence": t.tokens.amr, "production-licence": t.tokens.amr, "marriage-certificate": t.tokens.mca };
    const examples = operation("post", "/v1/certificates/").requestBody.content["application/json"].examples as Record<string, { value: Json }>;
    const issued: string[] = [];
    for (const [type, token] of Object.entries(tokenFor)) {
      const res = await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(token), payload: examples[type].value });
      expect(res.statusCode, `${type}: ${res.body}`).to.equal(201);
      expect(check(operation("post", "/v1/certificates/").responses["201"].content["application/json"].schema, res.json())).to.equal(null);
      issued.push(type);
    }
    expect(issued).to.include("business-licence");

    const batch = operation("post", "/v1/certificates/batch").requestBody.content["application/json"].example;
    const batchRes = await t.app.inject({ method: "POST", url: "/v1/certificates/batch", headers: bearer(t.tokens.amr), payload: batch });
    expect(batchRes.statusCode, batchRes.body).to.equal(200);
    expect(batchRes.json().issued, batchRes.body).to.equal(batch.items.length);

    const verifyExample = operation("post", "/v1/verify/").requestBody.content["application/json"].example;
    const verifyRes = await t.app.inject({ method: "POST", url: "/v1/verify", payload: verifyExample });
    expect(verifyRes.statusCode, verifyRes.body).to.equal(200);
    expect(verifyRes.json()).to.have.property("verdict");
  });

  it("the error schema matches what the API really sends (details is a list, whatever the code)", async () => {
    const schema = operation("post", "/v1/certificates/").responses["4XX"].content["application/json"].schema;
    const replies = [
      await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.amr), payload: { claims: 1 } }), // VALIDATION_FAILED
      await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.amr), payload: { type: "business-licence", claims: { company_name: "" } } }), // CLAIMS_INVALID
      await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.amr), payload: { type: "no-such-type", claims: {} } }), // CERT_TYPE_UNKNOWN (details: { type })
      await t.app.inject({ method: "POST", url: "/v1/certificates", payload: { type: "business-licence", claims: {} } }), // AUTH_MISSING
    ];
    const codes = replies.map((r) => r.json().error.code);
    expect(codes).to.deep.equal(["VALIDATION_FAILED", "CLAIMS_INVALID", "CERT_TYPE_UNKNOWN", "AUTH_MISSING"]);
    for (const reply of replies) {
      expect(check(schema, reply.json()), reply.body).to.equal(null);
      if ("details" in reply.json().error) expect(reply.json().error.details, reply.body).to.be.an("array");
    }
    expect(replies[2].json().error.details).to.deep.equal([{ type: "no-such-type" }]);
  });
});
