import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from "fastify";
import { createPendingEnvelope, findTypeById, issueCredential, presentCredential, type Envelope, createShare, openShare, MAX_SHARE_CIPHERTEXT } from "@certchain/sdk";
import errorsPlugin from "../../server/plugins/app/errors";
import { sharesRoutes } from "../../server/routes/v1/shares";
import { openDatabase, type Database } from "../../server/store/database";
import { createShareStore, EXPIRY_CLOCK_SKEW_MS, type ShareStore } from "../../server/store/share-store";
import { createNodeSigner } from "../../server/keys/node-signer";
import { numberFor } from "../support/chain-fixture";
import { derivedCreditCode } from "../../server/service/identifiers";

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse("2026-11-22T08:00:00.000Z");

/** A JWE-shaped ciphertext of `length` characters (the store checks the shape, not the crypto). */
function fakeJwe(length: number, header: object = { alg: "dir", enc: "A256GCM" }): string {
  const h = Buffer.from(JSON.stringify(header)).toString("base64url");
  const iv = "A".repeat(16);
  const tag = "B".repeat(22);
  const fixed = `${h}..${iv}..${tag}`.length;
  return `${h}..${iv}.${"C".repeat(length - fixed)}.${tag}`;
}

function expectError(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).to.equal(status);
  expect(res.headers["content-type"]).to.match(/^application\/json/);
  const body = res.json();
  expect(body.error.code, res.body).to.equal(code);
  expect(body.error.message).to.be.a("string").that.is.not.empty;
  return body.error;
}

/** Every byte LevelDB wrote under `dir` (log, tables, manifest). */
function levelBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).map((name) => readFileSync(path.join(dir, name))));
}

async function licenceEnvelope(claims?: Record<string, unknown>): Promise<Envelope> {
  const type = findTypeById("business-licence")!;
  const { privateKey } = generateKeyPairSync("ed25519");
  const credential = await issueCredential({
    vct: type.vct,
    issuer: "sh-amr",
    certificateNumber: numberFor(type.typeCode, derivedCreditCode("sh-amr")),
    claims: claims ?? (structuredClone(type.schema.examples[0]) as Record<string, unknown>),
    signer: createNodeSigner(privateKey),
  });
  return createPendingEnvelope(credential, 31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
}

describe("share links: store and HTTP API", function () {
  let dir: string;
  let db: Database;
  let clock: number;
  let store: ShareStore;
  let app: FastifyInstance;

  async function build(options: { purgeIntervalMs?: number } = {}) {
    // The app's error handler (server/plugins/app/errors.ts) behind the routes, and body
    // validation as strict as the app's: no coercion, closed objects refused rather than stripped.
    const instance = Fastify({ ajv: { customOptions: { allErrors: true, coerceTypes: false, removeAdditional: false } } });
    await instance.register(errorsPlugin);
    await instance.register(sharesRoutes, { prefix: "/v1/shares", store, purgeIntervalMs: options.purgeIntervalMs ?? 0 });
    await instance.ready();
    return instance;
  }

  const post = (body: unknown) => app.inject({ method: "POST", url: "/v1/shares", payload: body as object });
  const get = (id: string) => app.inject({ method: "GET", url: `/v1/shares/${id}` });
  const del = (id: string, token?: string) => app.inject({ method: "DELETE", url: `/v1/shares/${id}`, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  const iso = (ms: number) => new Date(ms).toISOString();

  beforeEach(async function () {
    dir = mkdtempSync(path.join(tmpdir(), "certchain-shares-"));
    db = await openDatabase(dir);
    clock = T0;
    store = createShareStore(db.sublevel("shares"), { now: () => clock });
    app = await build();
  });

  afterEach(async function () {
    await app.close();
    await db.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  describe("POST /v1/shares", function () {
    it("stores a share: 201 with a 128-bit id, a 256-bit withdrawal token and the expiry; GET returns the ciphertext", async function () {
      const ciphertext = fakeJwe(500);
      const res = await post({ ciphertext, expiresAt: iso(T0 + DAY) });
      expect(res.statusCode, res.body).to.equal(201);
      const created = res.json();
      expect(created.id).to.match(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(created.id, "base64url")).to.have.length(16);
      expect(created.withdrawToken).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(created.expiresAt).to.equal(iso(T0 + DAY));
      expect(res.headers["cache-control"]).to.equal("no-store");

      const fetched = await get(created.id);
      expect(fetched.statusCode).to.equal(200);
      expect(fetched.json()).to.deep.equal({ ciphertext, expiresAt: iso(T0 + DAY) });
      expect(fetched.headers["cache-control"]).to.equal("no-store");
      expect(fetched.headers["referrer-policy"]).to.equal("no-referrer");
    });

    it("gives every share its own id and token", async function () {
      const a = (await post({ ciphertext: fakeJwe(200), expiresAt: iso(T0 + DAY) })).json();
      const b = (await post({ ciphertext: fakeJwe(200), expiresAt: iso(T0 + DAY) })).json();
      expect(a.id).to.not.equal(b.id);
      expect(a.withdrawToken).to.not.equal(b.withdrawToken);
    });

    it("takes expiries up to exactly 30 days; a little beyond (client clock skew) is clamped; more is 422 SHARE_EXPIRY_INVALID", async function () {
      expect((await post({ ciphertext: fakeJwe(200), expiresAt: iso(T0 + 30 * DAY) })).json().expiresAt).to.equal(iso(T0 + 30 * DAY));
      expect((await post({ ciphertext: fakeJwe(200), expiresAt: iso(T0 + 30 * DAY + 60_000) })).json().expiresAt).to.equal(iso(T0 + 30 * DAY));
      expectError(await post({ ciphertext: fakeJwe(200), expiresAt: iso(T0 + 30 * DAY + EXPIRY_CLOCK_SKEW_MS + 1) }), 422, "SHARE_EXPIRY_INVALID");
      expectError(await post({ ciphertext: fakeJwe(200), expiresAt: iso(T0 + 365 * DAY) }), 422, "SHARE_EXPIRY_INVALID");
    });

    it("refuses an expiry now or in the past (422) and one that is not a date-time (400)", async function () {
      expectError(await post({ ciphertext: fakeJwe(200), expiresAt: iso(T0) }), 422, "SHARE_EXPIRY_INVALID");
      expectError(await post({ ciphertext: fakeJwe(200), expiresAt: iso(T0 - 1000) }), 422, "SHARE_EXPIRY_INVALID");
      for (const expiresAt of ["tomorrow", "2026-13-01T00:00:00Z", 1_900_000_000_000, null]) {
        expectError(await post({ ciphertext: fakeJwe(200), expiresAt }), 400, "VALIDATION_FAILED");
      }
    });

    it("refuses anything but a compact JWE with alg dir and enc A256GCM: plaintext never gets stored", async function () {
      const envelope = await licenceEnvelope();
      for (const ciphertext of [
        JSON.stringify(envelope),
        envelope.credential,
        "a.b.c.d.e",
        fakeJwe(300, { alg: "A256KW", enc: "A256GCM" }),
        fakeJwe(300, { alg: "dir", enc: "A128GCM" }),
        fakeJwe(300, { alg: "dir", enc: "A256GCM", zip: "DEF" }),
        fakeJwe(300).replace("..", ".x."), // a wrapped key where dir has none
        `${Buffer.from("not json").toString("base64url")}..${"A".repeat(16)}.CCCC.${"B".repeat(22)}`,
      ]) {
        expectError(await post({ ciphertext, expiresAt: iso(T0 + DAY) }), 400, "SHARE_CIPHERTEXT_INVALID");
      }
    });

    it("takes a ciphertext of exactly 64 KiB and refuses one byte more with 413 SHARE_TOO_LARGE; a larger body is 413 PAYLOAD_TOO_LARGE", async function () {
      expect((await post({ ciphertext: fakeJwe(MAX_SHARE_CIPHERTEXT), expiresAt: iso(T0 + DAY) })).statusCode).to.equal(201);
      expectError(await post({ ciphertext: fakeJwe(MAX_SHARE_CIPHERTEXT + 1), expiresAt: iso(T0 + DAY) }), 413, "SHARE_TOO_LARGE");
      expectError(await post({ ciphertext: fakeJwe(4 * MAX_SHARE_CIPHERTEXT), expiresAt: iso(T0 + DAY) }), 413, "PAYLOAD_TOO_LARGE");
    });

    it("refuses malformed bodies with 400 VALIDATION_FAILED (missing fields, extra fields, wrong types)", async function () {
      for (const body of [{}, { ciphertext: fakeJwe(200) }, { expiresAt: iso(T0 + DAY) }, { ciphertext: fakeJwe(200), expiresAt: iso(T0 + DAY), key: "x" }, { ciphertext: 5, expiresAt: iso(T0 + DAY) }, []]) {
        expectError(await post(body), 400, "VALIDATION_FAILED");
      }
      expectError(await app.inject({ method: "POST", url: "/v1/shares", headers: { "content-type": "application/json" }, payload: "{nope" }), 400, "INVALID_JSON");
    });
  });

  describe("GET /v1/shares/:id", function () {
    it("404 SHARE_NOT_FOUND for ids never issued, malformed or absurd", async function () {
      for (const id of ["A".repeat(22), "short", "x".repeat(64), "%00"]) expectError(await get(id), 404, "SHARE_NOT_FOUND");
    });

    it("410 SHARE_GONE once expired, then 404 after the purge", async function () {
      const { id } = (await post({ ciphertext: fakeJwe(200), expiresAt: iso(T0 + 3_600_000) })).json();
      clock = T0 + 3_600_000 - 1;
      expect((await get(id)).statusCode).to.equal(200);
      clock = T0 + 3_600_000;
      expect(expectError(await get(id), 410, "SHARE_GONE").message).to.match(/expired/);
      expect(await store.purgeExpired()).to.equal(1);
      expectError(await get(id), 404, "SHARE_NOT_FOUND");
    });
  });

  describe("DELETE /v1/shares/:id", function () {
    it("withdraws with the token: 204, then GET is 410 SHARE_GONE; withdrawing again is fine", async function () {
      const { id, withdrawToken } = (await post({ ciphertext: fakeJwe(200), expiresAt: iso(T0 + DAY) })).json();
      const res = await del(id, withdrawToken);
      expect(res.statusCode, res.body).to.equal(204);
      expect(res.body).to.equal("");
      expect(expectError(await get(id), 410, "SHARE_GONE").message).to.match(/withdrawn/);
      expect((await del(id, withdrawToken)).statusCode).to.equal(204);
    });

    it("403 SHARE_WITHDRAW_FORBIDDEN for a wrong token (another share's, or made up); the share stays", async function () {
      const a = (await post({ ciphertext: fakeJwe(200), expiresAt: iso(T0 + DAY) })).json();
      const b = (await post({ ciphertext: fakeJwe(200), expiresAt: iso(T0 + DAY) })).json();
      for (const token of [b.withdrawToken, "A".repeat(43), a.withdrawToken.slice(0, 42), `${a.withdrawToken}A`]) {
        expectError(await del(a.id, token), 403, "SHARE_WITHDRAW_FORBIDDEN");
      }
      expect((await get(a.id)).statusCode).to.equal(200);
    });

    it("401 without a bearer token or with a malformed header; 404 for an unknown share", async function () {
      const { id, withdrawToken } = (await post({ ciphertext: fakeJwe(200), expiresAt: iso(T0 + DAY) })).json();
      expectError(await del(id), 401, "AUTH_MISSING");
      expectError(await app.inject({ method: "DELETE", url: `/v1/shares/${id}`, headers: { authorization: `Basic ${withdrawToken}` } }), 401, "AUTH_INVALID");
      expectError(await del("A".repeat(22), withdrawToken), 404, "SHARE_NOT_FOUND");
      expect((await get(id)).statusCode).to.equal(200);
    });

    it("drops the ciphertext at once: a withdrawn record keeps only what the 410 needs", async function () {
      const { id, withdrawToken } = (await post({ ciphertext: fakeJwe(300), expiresAt: iso(T0 + DAY) })).json();
      await del(id, withdrawToken);
      const raw = (await db.sublevel<Record<string, unknown>>("shares").get(`s:${id}`))!;
      expect(raw).to.not.have.property("ciphertext");
      expect(raw).to.have.property("withdrawnAt");
      expect(JSON.stringify(raw)).to.not.include(withdrawToken);
    });
  });

  describe("purging", function () {
    it("deletes exactly the shares (live or withdrawn) that are due, in chunks, and reports how many", async function () {
      const made: { id: string; withdrawToken: string; expiresAt: string }[] = [];
      for (let i = 0; i < 1_200; i++) made.push(await store.create({ ciphertext: fakeJwe(100), expiresAt: iso(T0 + (i < 1_100 ? 1_000 : DAY)) }));
      await store.withdraw(made[1_150].id, made[1_150].withdrawToken);
      expect(await store.purgeExpired(T0 + 999)).to.equal(0);
      expect(await store.purgeExpired(T0 + 1_000)).to.equal(1_100);
      expect(await store.get(made[0].id)).to.equal(undefined);
      expect(await store.get(made[1_099].id)).to.equal(undefined);
      expect(await store.get(made[1_100].id)).to.have.property("ciphertext");
      expect(await store.get(made[1_150].id)).to.equal("withdrawn");
      expect(await store.purgeExpired(T0 + DAY)).to.equal(100);
      let left = 0;
      for await (const _key of db.sublevel("shares").keys()) left++;
      expect(left).to.equal(0);
    });

    it("runs on a timer while the app runs (purgeIntervalMs)", async function () {
      await app.close();
      app = await build({ purgeIntervalMs: 20 });
      const { id } = (await post({ ciphertext: fakeJwe(200), expiresAt: iso(T0 + 1_000) })).json();
      clock = T0 + 2_000;
      const deadline = Date.now() + 5_000;
      while ((await get(id)).statusCode !== 404) {
        if (Date.now() > deadline) expect.fail("the expired share was not purged");
        await new Promise((r) => setTimeout(r, 20));
      }
    });
  });

  it("stores no plaintext: the LevelDB files hold the ciphertext but no revealed value (and never the key)", async function () {
    const marker = "plain-control-marker-7f3a9c";
    const envelope = await licenceEnvelope({ ...(findTypeById("business-licence")!.schema.examples[0] as object), company_name: "泾川县明镜台茶叶专业合作社", legal_representative: "欧阳明镜" });
    const presentation = presentCredential(envelope, ["company_name", "legal_representative"]);
    const { ciphertext, key } = await createShare(presentation);
    const res = await post({ ciphertext, expiresAt: iso(T0 + DAY) });
    expect(res.statusCode, res.body).to.equal(201);
    // A control value stored the ordinary way, to show the search does see what the store writes.
    await db.sublevel<string>("control").put("k", marker);
    expect(await openShare((await get(res.json().id)).json().ciphertext, key)).to.deep.equal(presentation);
    await app.close();
    await db.close();

    const bytes = levelBytes(dir);
    expect(bytes.includes(Buffer.from(marker)), "control value not found: the search is blind").to.equal(true);
    expect(bytes.includes(Buffer.from(ciphertext.split(".")[2])), "the IV of the stored ciphertext").to.equal(true);
    for (const secret of ["泾川县明镜台茶叶专业合作社", "欧阳明镜", "明镜台", key, presentation.credential.split("~")[0].slice(0, 60), res.json().withdrawToken]) {
      expect(bytes.includes(Buffer.from(secret)), `found ${secret} in the LevelDB files`).to.equal(false);
    }
    // Nor in the encodings a careless client might have uploaded (JSON escapes, base64url of the disclosures).
    for (const disclosure of presentation.credential.split("~").slice(1, -1)) {
      expect(bytes.includes(Buffer.from(disclosure)), "a disclosure").to.equal(false);
    }
    expect(bytes.includes(Buffer.from(JSON.stringify("欧阳明镜").slice(1, -1)))).to.equal(false);
    expect(bytes.includes(Buffer.from("\\u6b27\\u9633"))).to.equal(false);
  });
});
