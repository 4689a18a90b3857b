import { createHash, randomBytes } from "node:crypto";
import { expect } from "chai";
import { buildTestApp, type TestApp } from "./support";

// Issue 21, finding 1, from outside: a type whose schema backtracks (`^(a+)+$`) or compares every
// pair (`uniqueItems`) used to hold the main thread for seconds on forged input, with no token
// (POST /v1/verify) or with an agency's. The SDK's tests reproduce each attack against what the
// checks used to run (test/sdk/bounded-claims.test.ts: the pattern on 40 characters does not
// finish within a second, the pairwise loop over 20,000 tags not within 200 ms); here the
// service, listening on a real port, is attacked while another client asks /healthz.
//
// The thresholds: unfixed, a single 40-character claim blocked the thread for longer than a
// second (each character doubled it), so one slow probe would take seconds. Fixed, a probe
// waits at most one claims-budget slice (10 ms) plus what the machine is doing: on this busy
// 2-core machine a probe can take a few tens of milliseconds anyway, so 95 % of probes must
// answer within 100 ms and none may take a second.

const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");
const L = (zh: string, en: string) => [{ locale: "zh-CN", label: zh }, { locale: "en", label: en }];

const ATTACK_TYPE = {
  id: "stall-test",
  typeCode: "TZCS",
  metadata: {
    display: [{ locale: "zh-CN", name: "阻塞测试" }, { locale: "en", name: "Stall test" }],
    claims: [
      { path: ["word"], display: L("词", "Word"), sd: "always", mandatory: true },
      { path: ["tags"], display: L("标签", "Tags"), sd: "always" },
      { path: ["tags", null], display: L("标签项", "Tag"), sd: "always" },
    ],
    "certchain:claim_order": ["word", "tags"],
    "certchain:schema": {
      type: "object",
      properties: {
        word: { type: "string", pattern: "^(a+)+$" },
        tags: { type: "array", items: { type: "string" }, uniqueItems: true, maxItems: 50 },
      },
      required: ["word"],
      additionalProperties: false,
      examples: [{ word: "aaa", tags: ["x", "y"] }],
    },
  },
};

/** Asks GET /healthz over and over until stopped; each answer's time in ms. */
function probeHealth(base: string): { stop(): Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const res = await fetch(`${base}/healthz`);
      await res.arrayBuffer();
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return latencies;
    },
  };
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

describe("HTTP: no request can stall the service (issue 21, finding 1; real port)", function () {
  this.timeout(180_000);
  let t: TestApp;
  let base: string;
  const post = async (path: string, body: unknown, token?: string) => {
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  before(async function () {
    t = await buildTestApp();
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    const registered = await post("/v1/types", ATTACK_TYPE, t.tokens.root);
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    const accredited = await post("/v1/agencies/sh-amr/accreditations", { type: ATTACK_TYPE.id }, t.tokens.root);
    expect(accredited.status, JSON.stringify(accredited.body)).to.equal(201);
  });
  after(async () => t?.close());

  /** Runs `attack` while /healthz is probed; returns the attack's result and the probes' times. */
  async function underAttack<T>(attack: () => Promise<T>): Promise<{ result: T; latencies: number[]; ms: number }> {
    const probe = probeHealth(base);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const started = performance.now();
    const result = await attack();
    const ms = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 30));
    const latencies = await probe.stop();
    return { result, latencies, ms };
  }

  const expectResponsive = (latencies: number[]) => {
    if (process.env.STALL_TIMES) console.log(`      /healthz: ${latencies.length} probes, median ${percentile(latencies, 0.5).toFixed(1)} ms, p95 ${percentile(latencies, 0.95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`);
    expect(latencies.length).to.be.above(2);
    expect(percentile(latencies, 0.95), `p95 of ${latencies.length} probes: ${latencies.map((l) => l.toFixed(0)).join(" ")}`).to.be.below(100);
    expect(Math.max(...latencies)).to.be.below(1_000);
  };

  it("issuing with a backtracking pattern's worst input: refused at once, one item or thousands, /healthz answering all along", async function () {
    const single = await underAttack(() => post("/v1/certificates", { type: ATTACK_TYPE.id, claims: { word: `${"a".repeat(40)}!` } }, t.tokens.amr));
    expect(single.result.status).to.equal(422);
    expect(single.result.body.error.code).to.equal("CLAIMS_INVALID");
    expect(single.ms).to.be.below(1_000);
    expectResponsive(single.latencies);

    // 4,000 items of 1,000 characters each: linear, but a few seconds of checking in all.
    const items = Array.from({ length: 4_000 }, () => ({ type: ATTACK_TYPE.id, claims: { word: `${"a".repeat(999)}!` } }));
    const batch = await underAttack(() => post("/v1/certificates/batch", { items }, t.tokens.amr));
    expect(batch.result.status).to.equal(200);
    const codes = new Set(batch.result.body.results.map((r: any) => r.error?.code));
    expect([...codes].every((code) => code === "CLAIMS_INVALID" || code === "CLAIMS_TOO_COSTLY"), [...codes].join()).to.equal(true);
    expect(batch.result.body.issued).to.equal(0);
    expectResponsive(batch.latencies);
  });

  it("uniqueItems over 20,000 forged tags: refused at once", async function () {
    const tags = Array.from({ length: 20_000 }, (_, i) => `t${i}`);
    const { result, latencies, ms } = await underAttack(() => post("/v1/certificates", { type: ATTACK_TYPE.id, claims: { word: "aaa", tags } }, t.tokens.amr));
    expect(result.status).to.equal(422);
    expect(result.body.error.details).to.deep.equal([{ path: "/tags", message: "must NOT have more than 50 items" }]);
    expect(ms).to.be.below(1_000);
    expectResponsive(latencies);
  });

  it("POST /v1/verify (no token) with a forged disclosure: claims are not checked, the forgery costs no more than parsing", async function () {
    // A real certificate of the type, then a forgery of it: the word's disclosure swapped for a
    // hostile one whose digest replaces the signed one (so integrity holds and the signature fails).
    const issued = await post("/v1/certificates", { type: ATTACK_TYPE.id, claims: { word: "aaa" } }, t.tokens.amr);
    expect(issued.status).to.equal(201);
    const envelope = issued.body.envelope;
    const [jwt, ...disclosures] = envelope.credential.split("~").filter((part: string) => part !== "");
    const [header, payload, signature] = jwt.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    const hostile = b64url(JSON.stringify([randomBytes(16).toString("base64url"), "word", `${"a".repeat(40)}!`]));
    const digestOf = (disclosure: string) => createHash("sha256").update(disclosure).digest("base64url");
    const original = disclosures.find((d: string) => JSON.parse(Buffer.from(d, "base64url").toString("utf8"))[1] === "word");
    claims._sd = claims._sd.map((digest: string) => (digest === digestOf(original) ? digestOf(hostile) : digest));
    const forged = { ...envelope, credential: `${header}.${b64url(JSON.stringify(claims))}.${signature}~${hostile}~` };

    const { result, latencies, ms } = await underAttack(() => post("/v1/verify", { envelope: forged }));
    expect(result.status, JSON.stringify(result.body)).to.equal(200);
    expect(result.body.verdict).to.not.equal("valid");
    const check = (name: string) => result.body.checks.find((c: any) => c.name === name);
    expect(check("integrity").status).to.equal("passed");
    expect(check("schema").status).to.equal("skipped");
    expect(result.body.claims.word).to.equal(`${"a".repeat(40)}!`);
    expect(ms).to.be.below(1_000);
    expectResponsive(latencies);
  });
});
