import { expect } from "chai";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { verify, type Envelope, digestOfDocument } from "@certchain/sdk";
import { registryFlags, runCli, removeTestFolder, sharedCliEnvironment, testFolder, type CliEnvironment } from "./support";

describe("cli: certchain notarise and verify-file", function () {
  this.timeout(300_000);
  let env: CliEnvironment;
  let dir: string;
  let document: string;
  let receipt: string;

  before(async function () {
    env = await sharedCliEnvironment(this);
    dir = testFolder("notarise");
    document = path.join(dir, "租赁合同.pdf");
    writeFileSync(document, Buffer.concat([Buffer.from("%PDF-1.7\n房屋租赁合同\n"), randomBytes(200_000)]));
    receipt = `${document}.receipt.json`;
  });
  after(() => removeTestFolder(dir));

  it("notarises a file hashed locally and writes the anchored receipt", async function () {
    const run = await runCli(["notarise", document, "--party", "上海青禾数字科技有限公司", "--party", "陈嘉树", "--title", "房屋租赁合同", "--wait", "--demo", env.demoFile]);
    expect(run.code, run.stderr).to.equal(0);
    const bytes = new Uint8Array(readFileSync(document));
    expect(run.stdout).to.include(digestOfDocument(bytes)).and.include(receipt).and.include("anchored");
    const envelope = JSON.parse(readFileSync(receipt, "utf8")) as Envelope;
    expect(envelope.anchor.status).to.equal("anchored");
  });

  it("verify-file succeeds on the same file, naming the notary office", async function () {
    const run = await runCli(["verify-file", document, receipt, ...registryFlags(env)]);
    expect(run.code, run.stderr + run.stdout).to.equal(0);
    expect(run.stdout).to.match(/^VALID/).and.include("上海市东方公证处").and.include("(matches)");
  });

  it("verify-file fails on a file changed by one byte, with DOCUMENT_MISMATCH", async function () {
    const changed = path.join(dir, "changed.pdf");
    const bytes = readFileSync(document);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(changed, bytes);
    const run = await runCli(["verify-file", changed, receipt, ...registryFlags(env)]);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.match(/^INVALID/).and.include("DOCUMENT_MISMATCH").and.include("(differs)");
    const json = await runCli(["verify-file", changed, receipt, "--demo", env.demoFile, "--json"]);
    expect(json.code).to.equal(1);
    const result = JSON.parse(json.stdout);
    expect(result.reason).to.deep.include({ check: "document", code: "DOCUMENT_MISMATCH" });
    expect(result.document.matches).to.equal(false);
  });

  it("the receipt verifies with the SDK like any certificate, and with `certchain verify`", async function () {
    const result = await verify(readFileSync(receipt, "utf8"), { registries: [env.registry] });
    expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
    expect(result.certificate!.type!.id).to.equal("notarisation-receipt");
    expect(result.issuer!.slug).to.equal("sh-notary");
    expect(result.claims).to.deep.include({ digest_algorithm: "sha-256", title: "房屋租赁合同", document_size: readFileSync(document).length });
    expect(result.claims.parties).to.deep.equal(["上海青禾数字科技有限公司", "陈嘉树"]);
    const run = await runCli(["verify", receipt, ...registryFlags(env), "--lang", "zh-CN"]);
    expect(run.code, run.stdout).to.equal(0);
    expect(run.stdout).to.include("公证存证回执").and.include("有效");
  });

  it("a rerun returns the same receipt instead of issuing another (Idempotency-Key)", async function () {
    const first = JSON.parse(readFileSync(receipt, "utf8")) as Envelope;
    const refused = await runCli(["notarise", document, "--party", "上海青禾数字科技有限公司", "--party", "陈嘉树", "--title", "房屋租赁合同", "--demo", env.demoFile]);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.include("already exists");
    const again = await runCli(["notarise", document, "--party", "上海青禾数字科技有限公司", "--party", "陈嘉树", "--title", "房屋租赁合同", "--force", "--wait", "--demo", env.demoFile, "--json"]);
    expect(again.code, again.stderr).to.equal(0);
    expect((JSON.parse(readFileSync(receipt, "utf8")) as Envelope).credential).to.equal(first.credential);
  });

  it("refuses an agency not accredited for notarisation", async function () {
    const run = await runCli(["notarise", document, "--party", "甲", "--out", path.join(dir, "amr.receipt.json"), "--api", env.apiUrl, "--token", env.tokens["sh-amr"]]);
    expect(run.code).to.equal(1);
    expect(run.stderr.trim()).to.match(/^certchain notarise: CERT_TYPE_NOT_ACCREDITED: /);
    expect(existsSync(path.join(dir, "amr.receipt.json"))).to.equal(false);
  });

  it("needs an existing file, said in one line", async function () {
    for (const [args, message] of [
      [["notarise", path.join(dir, "nope.pdf"), "--party", "甲", "--demo", env.demoFile], /not found/],
      [["verify-file", document, ...registryFlags(env)], /give the file and its receipt/],
    ] as [string[], RegExp][]) {
      const run = await runCli(args);
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr).to.match(message);
      expect(run.stderr.trim().split("\n")).to.have.length(1);
    }
  });

  describe("POST /v1/notarisations", function () {
    const post = (body: unknown, token?: string, raw?: string) =>
      fetch(`${env.apiUrl}/v1/notarisations`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: raw ?? JSON.stringify(body),
      });
    const digest = "ab".repeat(32);

    it("needs only the digest: the metadata is optional", async function () {
      const response = await post({ digest: "cd".repeat(32) }, env.tokens["sh-notary"]);
      expect(response.status).to.equal(201);
    });

    it("issues a pending receipt of the notarisation type (201)", async function () {
      const response = await post({ digest, parties: ["甲"], size: 10, notes: "测试" }, env.tokens["sh-notary"]);
      expect(response.status).to.equal(201);
      const body = (await response.json()) as { id: string; status: string; envelope: Envelope };
      expect(body.status).to.equal("pending");
      expect(body.envelope.credential).to.be.a("string");
    });

    it("refuses bad bodies with field-level detail, documents, other agencies and missing tokens", async function () {
      const cases: [unknown, string | undefined, number, string, string?][] = [
        [{ digest: digest.toUpperCase(), parties: ["甲"], size: 1 }, env.tokens["sh-notary"], 400, "VALIDATION_FAILED", "body/digest"],
        [{ digest, parties: [], size: 1 }, env.tokens["sh-notary"], 400, "VALIDATION_FAILED", "body/parties"],
        [{ parties: ["甲"], size: 1 }, env.tokens["sh-notary"], 400, "VALIDATION_FAILED", "body/digest"],
        [{ digest, parties: ["甲"], size: 1, document: "JVBERi0x" }, env.tokens["sh-notary"], 400, "VALIDATION_FAILED", "body/document"],
        [{ digest, parties: ["甲"], size: 1 }, env.tokens["sh-amr"], 403, "CERT_TYPE_NOT_ACCREDITED"],
        [{ digest, parties: ["甲"], size: 1 }, env.tokens.root, 403, "FORBIDDEN"],
        [{ digest, parties: ["甲"], size: 1 }, undefined, 401, "AUTH_MISSING"],
      ];
      for (const [body, token, status, code, field] of cases) {
        const response = await post(body, token);
        const reply = (await response.json()) as { error: { code: string; details?: { path: string }[] } };
        expect(response.status, JSON.stringify(reply)).to.equal(status);
        expect(reply.error.code).to.equal(code);
        if (field) expect(reply.error.details!.map((d) => d.path)).to.include(field);
      }
    });

    it("refuses a body over 16 KiB (someone sending the file itself) with 413", async function () {
      const response = await post(undefined, env.tokens["sh-notary"], JSON.stringify({ digest, parties: ["甲"], size: 1, notes: "x".repeat(20_000) }));
      expect(response.status).to.equal(413);
      expect(((await response.json()) as { error: { code: string } }).error.code).to.equal("PAYLOAD_TOO_LARGE");
    });
  });
});
