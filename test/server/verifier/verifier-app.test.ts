import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { createPendingEnvelope, type AnchorProof, type Envelope, type TrustedRegistry } from "@certchain/sdk";
import { trustProxy } from "../../../server/config";
import { buildVerifierApp } from "../../../server/verifier/app";
import { EXAMPLE_ENVELOPE, EXAMPLE_RESULT } from "../../../server/verifier/openapi-examples";
import { createVerifier } from "../../../server/verifier/verifier";
import { freePort } from "../../support/ports";
import { regions, type Region, type Regions } from "../../support/regions";

const ROOT = path.join(__dirname, "..", "..", "..");
const entry = (region: Region, extra: Partial<TrustedRegistry> = {}): TrustedRegistry => ({ ...region.registry, ...extra });

/** A host that counts what reaches it: a verifier must never call it. */
async function listeningHost(): Promise<{ server: Server; url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((_request, response) => {
    hits++;
    response.writeHead(200, { "content-type": "application/json" }).end('{"ciphertext":"x"}');
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${port}`, hits: () => hits };
}

describe("certchain verifier (the standalone service, over fastify)", function () {
  this.timeout(120_000);
  let r: Regions;
  let app: FastifyInstance;
  let fromA: Envelope;
  let fromB: Envelope;
  let fromC: Envelope;

  before(async function () {
    r = await regions();
    [fromA, fromB, fromC] = await Promise.all([r.a.issueAnchored("business-licence"), r.b.issueAnchored("business-licence"), r.c.issueAnchored("business-licence")]);
    app = await buildVerifierApp(createVerifier([entry(r.a), entry(r.b)]), { rateLimit: false });
  });
  after(async () => app?.close());

  const post = (url: string, payload: unknown) => app.inject({ method: "POST", url, payload: payload as object });

  it("verifies certificates from two regions, each named after its own, and refuses a third", async function () {
    for (const [envelope, region] of [
      [fromA, r.a],
      [fromB, r.b],
    ] as const) {
      // As an object and as the file's JSON text.
      for (const body of [{ envelope }, { envelope: JSON.stringify(envelope) }]) {
        const reply = await post("/v1/verify", body);
        expect(reply.statusCode).to.equal(200);
        const result = reply.json();
        expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
        expect(result.registry).to.deep.include({ name: region.registry.name, id: region.registry.id });
        expect(result.issuer.name).to.equal(region.agency.name);
      }
    }
    const third = (await post("/v1/verify", { envelope: fromC })).json();
    expect(third.verdict).to.equal("invalid");
    expect(third.reason.code).to.equal("ANCHOR_UNTRUSTED_REGISTRY");
  });

  it("verifies a batch of many in input order, sharing chain reads", async function () {
    const tampered = { ...fromA, anchor: { ...(fromA.anchor as AnchorProof), chainId: 1 } };
    const pattern = [fromA, fromB, fromC, tampered, "not a certificate"];
    const items = Array.from({ length: 2_500 }, (_, i) => pattern[i % pattern.length]);
    const reply = await post("/v1/verify/batch", { items });
    expect(reply.statusCode).to.equal(200);
    const { results } = reply.json() as { results: { verdict: string; reason: { code: string } | null; registry: { name: string } | null }[] };
    expect(results).to.have.length(items.length);
    const expected = [
      ["valid", null, r.a.registry.name],
      ["valid", null, r.b.registry.name],
      ["invalid", "ANCHOR_UNTRUSTED_REGISTRY", undefined],
      ["invalid", "ANCHOR_UNTRUSTED_REGISTRY", undefined],
      ["invalid", "FORMAT_MALFORMED", undefined],
    ];
    results.forEach((result, i) => {
      const [verdict, code, name] = expected[i % expected.length];
      expect([result.verdict, result.reason?.code ?? null], `item ${i}`).to.deep.equal([verdict, code]);
      if (name) expect(result.registry?.name).to.equal(name);
    });
  });

  it("answers every mistake in the one error shape, never 5xx, and has no issuing routes", async function () {
    const cases: [string, () => Promise<{ statusCode: number; json(): any }>, number, string][] = [
      ["a batch over 10,000", () => post("/v1/verify/batch", { items: Array.from({ length: 10_001 }, () => ({})) }), 413, "BATCH_TOO_LARGE"],
      ["an empty batch", () => post("/v1/verify/batch", { items: [] }), 400, "VALIDATION_FAILED"],
      ["no envelope", () => post("/v1/verify", { certificate: fromA }), 400, "VALIDATION_FAILED"],
      ["broken JSON", () => app.inject({ method: "POST", url: "/v1/verify", headers: { "content-type": "application/json" }, payload: '{"envelope":' }), 400, "INVALID_JSON"],
      ["text/plain", () => app.inject({ method: "POST", url: "/v1/verify", headers: { "content-type": "text/plain" }, payload: "hello" }), 415, "UNSUPPORTED_MEDIA_TYPE"],
      ["a body over 1 MiB", () => post("/v1/verify", { envelope: "x".repeat(1024 * 1024 + 10) }), 413, "PAYLOAD_TOO_LARGE"],
      ["an issuing route", () => post("/v1/certificates", { type: "business-licence", claims: {} }), 404, "NOT_FOUND"],
      ["a revocation route", () => post("/v1/certificates/x/revoke", { reason: 1 }), 404, "NOT_FOUND"],
    ];
    for (const [what, send, status, code] of cases) {
      const reply = await send();
      expect(reply.statusCode, what).to.equal(status);
      expect(reply.json(), what).to.have.keys("error");
      expect(reply.json().error.code, what).to.equal(code);
      expect(reply.json().error.message, what).to.be.a("string").and.not.equal("");
    }
  });

  it("rate limits per client in the one error shape", async function () {
    const limited = await buildVerifierApp(createVerifier([entry(r.a)]), { rateLimit: { max: 2, timeWindowMs: 60_000 } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 3; i++) codes.push((await limited.inject({ method: "POST", url: "/v1/verify", payload: { envelope: "{}" } })).statusCode);
      expect(codes).to.deep.equal([200, 200, 429]);
      const reply = await limited.inject({ method: "POST", url: "/v1/verify", payload: { envelope: "{}" } });
      expect(reply.json().error.code).to.equal("RATE_LIMITED");
      // Probes are never limited.
      expect((await limited.inject({ method: "GET", url: "/healthz" })).statusCode).to.equal(200);
    } finally {
      await limited.close();
    }
  });

  it("behind a load balancer (TRUST_PROXY / --trust-proxy), each client has its own rate limit budget; without it, the proxy's address is everyone's", async function () {
    const fromClient = (app: FastifyInstance, client: string) =>
      app.inject({ method: "POST", url: "/v1/verify", payload: { envelope: "{}" }, remoteAddress: "10.0.0.5", headers: { "x-forwarded-for": client } }).then((reply) => reply.statusCode);
    for (const [setting, expected] of [
      ["1", [200, 200, 429, 200]],
      ["10.0.0.0/8", [200, 200, 429, 200]],
      ["false", [200, 200, 429, 429]],
    ] as const) {
      const app = await buildVerifierApp(createVerifier([entry(r.a)]), { rateLimit: { max: 2, timeWindowMs: 60_000 }, trustProxy: trustProxy(setting) });
      try {
        const codes = [await fromClient(app, "198.51.100.1"), await fromClient(app, "198.51.100.1"), await fromClient(app, "198.51.100.1"), await fromClient(app, "198.51.100.2")];
        expect(codes, `TRUST_PROXY=${setting}`).to.deep.equal(expected);
      } finally {
        await app.close();
      }
    }
    expect(trustProxy("true")).to.equal(true);
    expect(trustProxy("")).to.equal(false);
    expect(() => trustProxy("the balancer")).to.throw(/TRUST_PROXY must be/);
  });

  it("--min-confirmations: an anchor fewer blocks deep than asked is pending, never valid", async function () {
    const strict = await buildVerifierApp(createVerifier([entry(r.a)], { minConfirmations: 1_000_000 }), { rateLimit: false });
    try {
      const result = (await strict.inject({ method: "POST", url: "/v1/verify", payload: { envelope: fromA } })).json();
      expect(result.verdict).to.equal("pending");
      expect(result.reason.code).to.equal("ANCHOR_UNCONFIRMED");
    } finally {
      await strict.close();
    }
    expect((await post("/v1/verify", { envelope: fromA })).json().verdict, "the default: 1").to.equal("valid");
  });

  it("fetches no foreign host: a share link or a pending envelope gets a verdict, and nothing is requested", async function () {
    const host = await listeningHost();
    try {
      const link = `${host.url}/s/q2Zk8Yq0aP3nR7tW#Vb7xQ2mL0vU8s1kT9wE4rY6uI3oP5aSdF7gH9jK1lZ0`; // a well-formed link
      const pending = { ...createPendingEnvelope(fromA.credential, 31337, r.a.registry.address, r.a.registry.id), anchor: { status: "pending", chainId: 31337, registry: r.a.registry.address, service: host.url } };
      const one = (await post("/v1/verify", { envelope: link })).json();
      expect(one.verdict).to.equal("unverifiable");
      expect(one.reason).to.include({ check: "share", code: "SHARE_HOST_NOT_ALLOWED" });
      const [linked, waiting] = (await post("/v1/verify/batch", { items: [link, pending] })).json().results;
      expect(linked.reason).to.include({ check: "share", code: "SHARE_HOST_NOT_ALLOWED" });
      expect(waiting.verdict).to.equal("pending");
      expect(host.hits()).to.equal(0);
    } finally {
      host.server.close();
    }
  });

  it("is ready when every region answers as its trust entry says; /readyz names a region that is down or wrong", async function () {
    const ready = await app.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode).to.equal(200);
    expect(ready.json().registries.map((x: { name: string; ready: boolean }) => [x.name, x.ready])).to.deep.equal([
      [r.a.registry.name, true],
      [r.b.registry.name, true],
    ]);

    const deadPort = await freePort();
    const broken = await buildVerifierApp(
      createVerifier([entry(r.a), entry(r.b, { rpcUrl: `http://127.0.0.1:${deadPort}` }), entry(r.c, { rpcUrl: r.a.registry.rpcUrl })], { registryTimeoutMs: 2_000 }),
      { rateLimit: false },
    );
    try {
      const reply = await broken.inject({ method: "GET", url: "/readyz" });
      expect(reply.statusCode).to.equal(503);
      const [a, b, c] = reply.json().registries;
      expect(a).to.deep.include({ name: r.a.registry.name, ready: true });
      expect(a.endpoints[0].blockNumber).to.be.a("number");
      expect(b).to.deep.include({ name: r.b.registry.name, ready: false });
      expect(b.endpoints[0].error.code).to.equal("CHAIN_UNREACHABLE");
      expect(b.endpoints[0].endpoint).to.equal(`http://127.0.0.1:${deadPort}`);
      // C's entry, but A's node: the registry id gives it away.
      expect(c).to.deep.include({ name: r.c.registry.name, ready: false });
      expect(c.endpoints[0].error.code).to.equal("REGISTRY_ID_MISMATCH");
      // Verification goes on for the regions that answer.
      const result = (await broken.inject({ method: "POST", url: "/v1/verify", payload: { envelope: fromA } })).json();
      expect(result.verdict).to.equal("valid");
    } finally {
      await broken.close();
    }
  });

  it("/readyz reports a frozen region within its deadline", async function () {
    const frozenApp = await buildVerifierApp(createVerifier([entry(r.a), entry(r.b, { timeoutMs: 1_500 })]), { rateLimit: false });
    r.b.freeze();
    try {
      const t0 = Date.now();
      const reply = await frozenApp.inject({ method: "GET", url: "/readyz" });
      expect(Date.now() - t0).to.be.lessThan(1_500 + 3_000);
      expect(reply.statusCode).to.equal(503);
      expect(reply.json().registries[1].endpoints[0].error.message).to.match(/did not answer within 1500 ms/);
    } finally {
      r.b.thaw();
      await frozenApp.close();
    }
  });

  it("serves /openapi.json with real examples: the example envelope verifies as its example result says", async function () {
    const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(doc.info.title).to.equal("certchain verifier");
    expect(Object.keys(doc.paths).sort()).to.deep.equal(["/healthz", "/readyz", "/v1/verify/", "/v1/verify/batch"]);
    const example = doc.paths["/v1/verify/"].post.requestBody.content["application/json"].example;
    expect(example).to.deep.equal({ envelope: EXAMPLE_ENVELOPE });
    // The frozen vector the example is, anchored on a registry of its own (old envelope: no id).
    const vectors = await r.c.adoptVectors();
    expect(vectors.map((v) => v.envelope)).to.deep.include(EXAMPLE_ENVELOPE);
    const vectorApp = await buildVerifierApp(createVerifier([{ ...entry(r.c), name: EXAMPLE_RESULT.registry.name }]), { rateLimit: false });
    try {
      const result = (await vectorApp.inject({ method: "POST", url: "/v1/verify", payload: example })).json();
      const stable = (x: typeof EXAMPLE_RESULT) => ({ verdict: x.verdict, reason: x.reason, checks: x.checks, claims: x.claims, withheld: x.withheld, certificate: x.certificate, issuer: x.issuer, anchorRoot: x.anchor?.root, registryName: x.registry?.name });
      expect(stable(result)).to.deep.equal(stable(EXAMPLE_RESULT));
    } finally {
      await vectorApp.close();
    }
  });

  it("loads no issuing service, store, keys, chain writer or Hardhat: only the SDK and the shared HTTP plugins", function () {
    const script = `require("./server/verifier/app"); require("./server/verifier/verifier"); require("./scripts/cli/verifier");
      process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
    const run = spawnSync(process.execPath, ["--conditions=certchain-source", "-r", "ts-node/register/transpile-only", "-e", script], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
      encoding: "utf8",
    });
    expect(run.status, run.stderr).to.equal(0);
    const loaded = (JSON.parse(run.stdout) as string[]).map((file) => path.relative(ROOT, file));
    expect(loaded.some((file) => file.startsWith("server/verifier/"))).to.equal(true);
    const forbidden = loaded.filter((file) =>
      /^server\/(service|store|keys|anchoring|chain|auth|web)\/|^server\/app\.ts$|node_modules\/(level|classic-level|abstract-level|hardhat|@nomicfoundation|jose\/.*\/sign)/.test(file),
    );
    expect(forbidden).to.deep.equal([]);
  });
});
