import { expect } from "chai";
import fc from "fast-check";
import { decodeProtectedHeader } from "jose";
import {
  credentialLeaf,
  findTypeById,
  isCertchainError,
  presentCredential,
  type Envelope,
  createShare,
  openShare,
  parseShareLink,
  shareLinkOf,
  verifyShareLink,
  DEFAULT_SHARE_TIMEOUT_MS,
  type FetchLike,
  verify as verifyAny,
} from "@certchain/sdk";
import { deployTrustFixture, issueAndAnchor, type TrustFixture } from "../support/chain-fixture";
import { startSilentServer, type SilentServer } from "../support/silent-server";

async function expectCode(promise: Promise<unknown> | (() => unknown), code: string) {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    expect(isCertchainError(error), String(error)).to.equal(true);
    expect((error as { code: string }).code).to.equal(code);
    return;
  }
  expect.fail(`expected ${code}`);
}

const b64 = (text: string) => Buffer.from(text).toString("base64url");
const ID = "q2ZkX0a9Rt-Yb_3wLm8NcA";
const KEY = "LSIG7aOQTKzI7h2miIVlMeasor_qsjLt32kAUxKMitQ";

/** Flips one base64url character of part `index` of a compact JWE. */
function flip(jwe: string, index: number, at = 5): string {
  const parts = jwe.split(".");
  const chars = [...parts[index]];
  chars[at] = chars[at] === "A" ? "B" : "A";
  parts[index] = chars.join("");
  return parts.join(".");
}

/** A fetch that answers GET /v1/shares/:id from a table and records every URL it was asked for. */
function fakeShareService(table: Record<string, { status: number; body?: unknown } | "throw">) {
  const urls: string[] = [];
  const fetchImpl: FetchLike = async (url) => {
    urls.push(url);
    const id = decodeURIComponent(url.split("/v1/shares/")[1] ?? "");
    const answer = table[id] ?? { status: 404, body: { error: { code: "SHARE_NOT_FOUND", message: "No such share link." } } };
    if (answer === "throw") throw new TypeError("fetch failed");
    return { status: answer.status, ok: answer.status >= 200 && answer.status < 300, json: async () => answer.body };
  };
  return { fetchImpl, urls };
}

describe("sdk share links", function () {
  let fx: TrustFixture;
  let envelope: Envelope;
  let presentation: Envelope;

  before(async function () {
    fx = await deployTrustFixture();
    ({ envelopes: [envelope] } = await issueAndAnchor(fx, fx.amr, [{ type: "business-licence" }]));
    presentation = presentCredential(envelope, ["company_name", "legal_representative"]);
  });

  describe("createShare / openShare", function () {
    it("round-trips a presentation through a JWE (dir, A256GCM) with a fresh 256-bit key", async function () {
      const share = await createShare(presentation);
      expect(share.key).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(share.key, "base64url")).to.have.length(32);
      const header = decodeProtectedHeader(share.ciphertext);
      expect(header).to.include({ alg: "dir", enc: "A256GCM" });
      const parts = share.ciphertext.split(".");
      expect(parts).to.have.length(5);
      expect(parts[1]).to.equal(""); // no wrapped key: the key is only in the link
      expect(await openShare(share.ciphertext, share.key)).to.deep.equal(presentation);
    });

    it("never shows the plaintext: no claim value, no disclosure and no credential text in the ciphertext", async function () {
      const { ciphertext } = await createShare(presentation);
      const decoded = ciphertext.split(".").map((part) => Buffer.from(part, "base64url").toString("latin1")).join("|");
      for (const needle of ["上海青禾", "陈嘉树", presentation.credential.slice(0, 40), "certchain-envelope\""]) {
        expect(ciphertext).to.not.include(needle);
        expect(decoded).to.not.include(needle);
      }
    });

    it("uses a new key and IV each time", async function () {
      const [a, b] = await Promise.all([createShare(presentation), createShare(presentation)]);
      expect(a.key).to.not.equal(b.key);
      expect(a.ciphertext).to.not.equal(b.ciphertext);
      expect(a.ciphertext.split(".")[2]).to.not.equal(b.ciphertext.split(".")[2]);
    });

    it("accepts the envelope as JSON text and refuses what is not an envelope", async function () {
      const share = await createShare(JSON.stringify(presentation));
      expect(await openShare(share.ciphertext, share.key)).to.deep.equal(presentation);
      await expectCode(createShare({ hello: "world" } as unknown as Envelope), "FORMAT_MALFORMED");
      await expectCode(createShare("not json"), "FORMAT_MALFORMED");
    });

    it("refuses a wrong key with SHARE_DECRYPT_FAILED", async function () {
      const share = await createShare(presentation);
      const other = await createShare(presentation);
      await expectCode(openShare(share.ciphertext, other.key), "SHARE_DECRYPT_FAILED");
      await expectCode(openShare(share.ciphertext, KEY), "SHARE_DECRYPT_FAILED");
    });

    it("refuses malformed keys with SHARE_DECRYPT_FAILED (short, long, padded, foreign alphabet, spare bits set)", async function () {
      const { ciphertext, key } = await createShare(presentation);
      const lastBitsSet = key.slice(0, 42) + "_"; // 43rd character carries 2 spare bits that must be zero
      for (const bad of ["", key.slice(0, 42), `${key}A`, `${key}=`, `${key.slice(0, 42)}+`, key.replace(/./, "/"), lastBitsSet === key ? key.slice(0, 42) + "B" : lastBitsSet]) {
        if (bad === key) continue;
        await expectCode(openShare(ciphertext, bad), "SHARE_DECRYPT_FAILED");
      }
      await expectCode(openShare(ciphertext, 42 as unknown as string), "SHARE_DECRYPT_FAILED");
    });

    it("refuses a ciphertext altered anywhere (header, IV, ciphertext, tag) with SHARE_DECRYPT_FAILED", async function () {
      const { ciphertext, key } = await createShare(presentation);
      for (const part of [0, 2, 3, 4]) await expectCode(openShare(flip(ciphertext, part, 2), key), "SHARE_DECRYPT_FAILED");
      await expectCode(openShare(ciphertext.slice(0, -2), key), "SHARE_DECRYPT_FAILED");
      await expectCode(openShare(`${ciphertext}.x`, key), "SHARE_DECRYPT_FAILED");
      await expectCode(openShare("", key), "SHARE_DECRYPT_FAILED");
    });

    it("refuses a ciphertext naming another algorithm, even one the key would fit", async function () {
      const { ciphertext, key } = await createShare(presentation);
      const [, ...rest] = ciphertext.split(".");
      for (const header of [{ alg: "dir", enc: "A128GCM" }, { alg: "A256KW", enc: "A256GCM" }, { alg: "none", enc: "A256GCM" }, { alg: "dir", enc: "A256CBC-HS512" }]) {
        await expectCode(openShare([b64(JSON.stringify(header)), ...rest].join("."), key), "SHARE_DECRYPT_FAILED");
      }
    });

    it("property: whatever is revealed decrypts to exactly that presentation", async function () {
      const names = Object.keys(findTypeById("business-licence")!.claims);
      await fc.assert(
        fc.asyncProperty(fc.subarray(names), async (reveal) => {
          const shown = presentCredential(envelope, reveal);
          const { ciphertext, key } = await createShare(shown);
          expect(await openShare(ciphertext, key)).to.deep.equal(shown);
        }),
        { numRuns: 15 },
      );
    });
  });

  describe("parseShareLink / shareLinkOf", function () {
    it("splits <origin>/s/<id>#<key>", function () {
      expect(parseShareLink(`https://certs.example.gov.cn/s/${ID}#${KEY}`)).to.deep.equal({ apiBase: "https://certs.example.gov.cn", id: ID, key: KEY });
      expect(parseShareLink(new URL(`http://127.0.0.1:3000/s/${ID}#${KEY}`))).to.deep.equal({ apiBase: "http://127.0.0.1:3000", id: ID, key: KEY });
      // a trailing slash, surrounding whitespace, a query string
      expect(parseShareLink(`  https://a.example/s/${ID}/?utm=x#${KEY}\n`).id).to.equal(ID);
    });

    it("keeps a path prefix the service is mounted under", function () {
      expect(parseShareLink(`https://gov.example/certchain/s/${ID}#${KEY}`).apiBase).to.equal("https://gov.example/certchain");
    });

    it("round-trips with shareLinkOf (property)", function () {
      const b64url = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
      fc.assert(
        fc.property(fc.string({ unit: b64url, minLength: 22, maxLength: 22 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constantFrom("https://a.example", "http://127.0.0.1:8080/", "https://x.gov.cn/base"), (id, bytes, origin) => {
          const key = Buffer.from(bytes).toString("base64url");
          const link = shareLinkOf(origin, id, key);
          expect(link).to.equal(`${origin.replace(/\/$/, "")}/s/${id}#${key}`);
          expect(parseShareLink(link)).to.deep.equal({ apiBase: origin.replace(/\/$/, ""), id, key });
        }),
      );
    });

    it("refuses links without a key, with a malformed key or id, other schemes or credentials (SHARE_LINK_INVALID)", async function () {
      for (const bad of [
        `https://a.example/s/${ID}`,
        `https://a.example/s/${ID}#`,
        `https://a.example/s/${ID}#${KEY.slice(1)}`,
        `https://a.example/s/${ID}#${KEY}x`,
        `https://a.example/s/${ID}#${KEY.slice(0, 42)}+`,
        `https://a.example/s/#${KEY}`,
        `https://a.example/s/short#${KEY}`,
        `https://a.example/x/${ID}#${KEY}`,
        `https://a.example/s/${ID}/more#${KEY}`,
        `ftp://a.example/s/${ID}#${KEY}`,
        `javascript:alert(1)//s/${ID}#${KEY}`,
        `https://user:pw@a.example/s/${ID}#${KEY}`,
        "not a url",
        "",
      ]) {
        await expectCode(() => parseShareLink(bad), "SHARE_LINK_INVALID");
      }
      await expectCode(() => parseShareLink(undefined as unknown as string), "SHARE_LINK_INVALID");
      await expectCode(() => shareLinkOf("https://a.example", "bad id!", KEY), "SHARE_LINK_INVALID");
      await expectCode(() => shareLinkOf("https://a.example", ID, "short"), "SHARE_LINK_INVALID");
    });
  });

  describe("verifyShareLink", function () {
    let options: { registries: TrustFixture["registry"][]; shareServices: string[] };
    before(() => (options = { registries: [fx.registry], shareServices: ["https://certs.example", "https://a.example"] }));

    it("fetches the ciphertext (never sending the key), decrypts and verifies: valid, with only the revealed claims", async function () {
      const { ciphertext, key } = await createShare(presentation);
      const { fetchImpl, urls } = fakeShareService({ [ID]: { status: 200, body: { ciphertext, expiresAt: "2030-01-01T00:00:00.000Z" } } });
      const result = await verifyShareLink(`https://certs.example/s/${ID}#${key}`, options, fetchImpl);
      expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
      expect(result.claims).to.deep.equal({ company_name: "上海青禾数字科技有限公司", legal_representative: "陈嘉树" });
      expect(result.withheld).to.include("unified_social_credit_code").and.not.include("company_name");
      expect(result.issuer?.name).to.equal(fx.amr.name);
      expect(result.share).to.deep.equal({ apiBase: "https://certs.example", id: ID, expiresAt: "2030-01-01T00:00:00.000Z" });
      expect(urls).to.deep.equal([`https://certs.example/v1/shares/${ID}`]);
      expect(urls.join()).to.not.include(key);
    });

    it("reports a revoked certificate behind a link as revoked", async function () {
      const { envelopes, root, proofs } = await issueAndAnchor(fx, fx.amr, [{ type: "business-licence" }]);
      await fx.amr.client.changeStatus("revoke", [{ leaf: credentialLeaf(envelopes[0].credential), root, proof: proofs[0] }], 1);
      const { ciphertext, key } = await createShare(presentCredential(envelopes[0], ["company_name"]));
      const { fetchImpl } = fakeShareService({ [ID]: { status: 200, body: { ciphertext, expiresAt: "2030-01-01T00:00:00.000Z" } } });
      const result = await verifyShareLink(`https://certs.example/s/${ID}#${key}`, options, fetchImpl);
      expect(result.verdict).to.equal("revoked");
      expect(result.reason?.code).to.equal("STATUS_REVOKED");
    });

    it("a gone link (404 or 410) is SHARE_NOT_FOUND, verdict invalid", async function () {
      const { fetchImpl } = fakeShareService({ [ID]: { status: 410, body: { error: { code: "SHARE_GONE", message: "withdrawn" } } } });
      for (const link of [`https://a.example/s/${ID}#${KEY}`, `https://a.example/s/${"Z".repeat(22)}#${KEY}`]) {
        const result = await verifyShareLink(link, options, fetchImpl);
        expect(result.verdict).to.equal("invalid");
        expect(result.reason).to.deep.include({ check: "share", code: "SHARE_NOT_FOUND" });
        expect(result.certificate).to.equal(null);
        expect(result.claims).to.deep.equal({});
        expect(result.checks.every((c) => c.status === "skipped")).to.equal(true);
      }
    });

    it("a wrong key or an altered ciphertext is SHARE_DECRYPT_FAILED, verdict invalid", async function () {
      const { ciphertext, key } = await createShare(presentation);
      const { fetchImpl } = fakeShareService({ [ID]: { status: 200, body: { ciphertext, expiresAt: "2030-01-01T00:00:00.000Z" } }, ["T".repeat(22)]: { status: 200, body: { ciphertext: flip(ciphertext, 3), expiresAt: "2030-01-01T00:00:00.000Z" } } });
      for (const link of [`https://a.example/s/${ID}#${KEY}`, `https://a.example/s/${"T".repeat(22)}#${key}`]) {
        const result = await verifyShareLink(link, options, fetchImpl);
        expect(result.verdict).to.equal("invalid");
        expect(result.reason).to.deep.include({ check: "share", code: "SHARE_DECRYPT_FAILED" });
      }
    });

    it("an unreachable or misbehaving service is SHARE_UNREACHABLE, verdict unverifiable", async function () {
      const { fetchImpl } = fakeShareService({
        a: "throw",
        [ID]: "throw",
        ["B".repeat(22)]: { status: 503, body: { error: { code: "CHAIN_UNAVAILABLE" } } },
        ["C".repeat(22)]: { status: 200, body: { nothing: true } },
        ["D".repeat(22)]: { status: 200, body: "text" },
      });
      for (const id of [ID, "B".repeat(22), "C".repeat(22), "D".repeat(22)]) {
        const result = await verifyShareLink(`https://a.example/s/${id}#${KEY}`, options, fetchImpl);
        expect(result.verdict, id).to.equal("unverifiable");
        expect(result.reason?.code, id).to.equal("SHARE_UNREACHABLE");
      }
      const broken: FetchLike = async () => ({ status: 200, ok: true, json: async () => Promise.reject(new SyntaxError("bad json")) });
      expect((await verifyShareLink(`https://a.example/s/${ID}#${KEY}`, options, broken)).reason?.code).to.equal("SHARE_UNREACHABLE");
    });

    it("a malformed link is SHARE_LINK_INVALID without any request", async function () {
      const { fetchImpl, urls } = fakeShareService({});
      for (const link of [`https://a.example/s/${ID}`, "nonsense", 42 as unknown as string]) {
        const result = await verifyShareLink(link, options, fetchImpl);
        expect(result.reason?.code).to.equal("SHARE_LINK_INVALID");
        expect(result.verdict).to.equal("invalid");
      }
      expect(urls).to.deep.equal([]);
    });

    it("decrypted content that is not an envelope is verify's own format failure", async function () {
      const { CompactEncrypt } = await import("jose");
      const raw = new Uint8Array(32).fill(9);
      const ciphertext = await new CompactEncrypt(new TextEncoder().encode('{"format":"certchain-envelope","version":99}')).setProtectedHeader({ alg: "dir", enc: "A256GCM" }).encrypt(raw);
      const { fetchImpl } = fakeShareService({ [ID]: { status: 200, body: { ciphertext, expiresAt: "2030-01-01T00:00:00.000Z" } } });
      const result = await verifyShareLink(`https://a.example/s/${ID}#${Buffer.from(raw).toString("base64url")}`, options, fetchImpl);
      expect(result.verdict).to.equal("invalid");
      expect(result.reason).to.deep.include({ check: "format", code: "FORMAT_UNSUPPORTED_VERSION" });
    });
  });

  describe("only hosts the caller allows, within a deadline", function () {
    let silent: SilentServer;
    before(async () => (silent = await startSilentServer()));
    after(async () => silent?.close());

    it("a link of a host outside shareServices is SHARE_HOST_NOT_ALLOWED (unverifiable) and nothing is fetched: there is no default", async function () {
      const { fetchImpl, urls } = fakeShareService({ [ID]: { status: 200, body: { ciphertext: "x" } } });
      const link = `https://elsewhere.example/s/${ID}#${KEY}`;
      for (const shareServices of [undefined, [], ["https://certs.example"], ["https://elsewhere.example:8443"], ["http://elsewhere.example"], ["not a url"], "https://elsewhere.example"]) {
        const result = await verifyShareLink(link, { registries: [fx.registry], shareServices: shareServices as string[] }, fetchImpl);
        expect(result.reason, JSON.stringify(shareServices)).to.deep.include({ check: "share", code: "SHARE_HOST_NOT_ALLOWED" });
        expect(result.verdict).to.equal("unverifiable");
        expect(result.share).to.deep.include({ apiBase: "https://elsewhere.example", id: ID });
      }
      expect(urls).to.deep.equal([]);
      // verifyAny (the SDK's verify) the same, with the global fetch and a real host that would answer nothing.
      const viaVerify = await verifyAny(`${silent.origin}/s/${ID}#${KEY}`, { registries: [fx.registry] });
      expect(viaVerify.reason?.code).to.equal("SHARE_HOST_NOT_ALLOWED");
      expect(silent.connections).to.equal(0);
    });

    it("allowed origins match scheme, host and port, and a path prefix before /s/ is fine", async function () {
      const { ciphertext, key } = await createShare(presentation);
      const { fetchImpl, urls } = fakeShareService({ [ID]: { status: 200, body: { ciphertext, expiresAt: "2030-01-01T00:00:00.000Z" } } });
      const result = await verifyShareLink(`https://certs.example/base/s/${ID}#${key}`, { registries: [fx.registry], shareServices: ["https://certs.example/other-path"] }, fetchImpl);
      expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
      expect(urls).to.deep.equal([`https://certs.example/base/v1/shares/${ID}`]);
    });

    it(`a silent allowed host: SHARE_UNREACHABLE after timeoutMs, by default ${DEFAULT_SHARE_TIMEOUT_MS / 1000} s (it held the verification 15 s)`, async function () {
      this.timeout(60_000);
      const link = `${silent.origin}/s/${ID}#${KEY}`;
      const options = { registries: [fx.registry], shareServices: [silent.origin] };
      let started = Date.now();
      const quick = await verifyAny(link, { ...options, timeoutMs: 300 });
      expect(quick.reason?.code).to.equal("SHARE_UNREACHABLE");
      expect(quick.verdict).to.equal("unverifiable");
      expect(silent.connections).to.be.greaterThan(0);

      started = Date.now();
      const byDefault = await verifyAny(link, options);
      const elapsed = Date.now() - started;
      expect(byDefault.reason?.code).to.equal("SHARE_UNREACHABLE");
      // Bounds, not a speed target: it waited for the deadline, and gave up well before the old 15 s.
      expect(elapsed).to.be.at.least(DEFAULT_SHARE_TIMEOUT_MS - 100).and.below(14_000);
    });

    it("the caller's AbortSignal stops the fetch: aborted before, or while waiting", async function () {
      const link = `${silent.origin}/s/${ID}#${KEY}`;
      const before = silent.connections;
      const aborted = await verifyAny(link, { registries: [fx.registry], shareServices: [silent.origin], signal: AbortSignal.abort() });
      expect(aborted.reason?.code).to.equal("SHARE_UNREACHABLE");
      expect(silent.connections).to.equal(before);

      const controller = new AbortController();
      const pending = verifyAny(link, { registries: [fx.registry], shareServices: [silent.origin], signal: controller.signal, timeoutMs: 600_000 });
      const deadline = Date.now() + 20_000;
      while (silent.connections === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      controller.abort();
      expect((await pending).reason?.code).to.equal("SHARE_UNREACHABLE");
    });

    it("a fetch that ignores its signal cannot hold verify past the deadline", async function () {
      const never: FetchLike = () => new Promise(() => undefined);
      const result = await verifyShareLink(`https://a.example/s/${ID}#${KEY}`, { registries: [fx.registry], shareServices: ["https://a.example"], timeoutMs: 200 }, never);
      expect(result.reason?.code).to.equal("SHARE_UNREACHABLE");
    });

    it("readShare reads without HTTP, still only for allowed hosts", async function () {
      const { ciphertext, key } = await createShare(presentation);
      const asked: string[] = [];
      const readShare = async (link: { id: string }) => (asked.push(link.id), link.id === ID ? { ciphertext, expiresAt: "2030-01-01T00:00:00.000Z" } : undefined);
      const { fetchImpl, urls } = fakeShareService({});
      const options = { registries: [fx.registry], shareServices: ["https://own.example"], readShare };
      expect((await verifyShareLink(`https://own.example/s/${ID}#${key}`, options, fetchImpl)).verdict).to.equal("valid");
      expect((await verifyShareLink(`https://own.example/s/${"Z".repeat(22)}#${key}`, options, fetchImpl)).reason?.code).to.equal("SHARE_NOT_FOUND");
      expect((await verifyShareLink(`https://other.example/s/${ID}#${key}`, options, fetchImpl)).reason?.code).to.equal("SHARE_HOST_NOT_ALLOWED");
      expect(asked).to.deep.equal([ID, "Z".repeat(22)]);
      expect(urls).to.deep.equal([]);
    });
  });

  describe("verifyAny", function () {
    it("takes a share link to the share service and anything else to verify", async function () {
      const { ciphertext, key } = await createShare(presentation);
      const { fetchImpl, urls } = fakeShareService({ [ID]: { status: 200, body: { ciphertext, expiresAt: "2030-01-01T00:00:00.000Z" } } });
      const options = { registries: [fx.registry], fetch: fetchImpl, shareServices: ["https://certs.example"] };
      const viaLink = await verifyAny(`https://certs.example/s/${ID}#${key}`, options);
      expect(viaLink.verdict, JSON.stringify(viaLink.reason)).to.equal("valid");
      expect(Object.keys(viaLink.claims)).to.have.members(["company_name", "legal_representative"]);
      expect(urls).to.have.length(1);

      const viaFile = await verifyAny(JSON.stringify(envelope), options);
      expect(viaFile.verdict).to.equal("valid");
      expect(Object.keys(viaFile.claims).length).to.be.greaterThan(2);
      expect(urls).to.have.length(1);

      // A damaged link is reported as a link problem, not as a malformed certificate file.
      expect((await verifyAny(`https://certs.example/s/${ID}`, options)).reason?.code).to.equal("SHARE_LINK_INVALID");
      expect((await verifyAny("https://certs.example/other", options)).reason?.code).to.equal("FORMAT_MALFORMED");
    });
  });
});
