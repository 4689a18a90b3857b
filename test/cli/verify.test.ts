import { expect } from "chai";
import { formatTime } from "../../display/time";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import Fastify from "fastify";
import path from "node:path";
import { findTypeById, presentCredential, type Envelope, createShare, shareLinkOf } from "@certchain/sdk";
import { reencodeCredential, replaceDisclosure } from "../support/tamper";
import { registryFlags, runCli, removeTestFolder, sharedCliEnvironment, testFolder, type CliEnvironment } from "./support";

async function issue(env: CliEnvironment, token: string, type: string): Promise<{ id: string; envelope: Envelope }> {
  const response = await fetch(`${env.apiUrl}/v1/certificates`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ type, claims: findTypeById(type)!.schema.examples[0] }),
  });
  expect(response.status).to.equal(201);
  return (await response.json()) as { id: string; envelope: Envelope };
}

async function anchored(env: CliEnvironment, token: string, id: string): Promise<Envelope> {
  for (let i = 0; i < 200; i++) {
    const body = (await (await fetch(`${env.apiUrl}/v1/certificates/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { status: string; envelope: Envelope };
    if (body.status !== "pending") return body.envelope;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${id} not anchored`);
}

describe("cli: certchain verify", function () {
  this.timeout(300_000);
  let env: CliEnvironment;
  let dir: string;
  let pendingId: string;
  let files: { good: string; marriage: string; presentation: string; tampered: string; forged: string; pending: string; reply: string; notJson: string };

  before(async function () {
    env = await sharedCliEnvironment(this);
    dir = testFolder("verify");
    const licence = await issue(env, env.tokens["sh-amr"], "business-licence");
    const marriage = await issue(env, env.tokens["sh-mca"], "marriage-certificate");
    const licenceEnvelope = await anchored(env, env.tokens["sh-amr"], licence.id);
    const marriageEnvelope = await anchored(env, env.tokens["sh-mca"], marriage.id);
    const pending = await issue(env, env.tokens["sh-amr"], "production-licence");
    pendingId = pending.id;
    const filesDir = path.join(dir, "files");
    mkdirSync(filesDir);
    const write = (name: string, value: unknown) => {
      const file = path.join(filesDir, name);
      writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value, null, 2));
      return file;
    };
    files = {
      good: write("licence.json", licenceEnvelope),
      marriage: write("marriage.json", marriageEnvelope),
      presentation: write("presentation.json", presentCredential(licenceEnvelope, ["company_name"])),
      // A changed claim value: the disclosure no longer matches any signed digest.
      tampered: write("tampered.json", replaceDisclosure(licenceEnvelope, 0, ([salt, name]) => [salt, name, "另一家公司"])),
      // The signed payload edited after signing: the leaf changes, so the anchor proof fails first.
      forged: write("forged.json", reencodeCredential(licenceEnvelope, (_h, payload) => ({ ...payload, exp: 4102444800 }))),
      pending: write("pending.json", pending.envelope),
      reply: write("reply.json", { id: licence.id, status: "anchored", envelope: licenceEnvelope }),
      notJson: write("notes.txt", "this is not a certificate"),
    };
  });
  after(() => removeTestFolder(dir));

  it("exits 0 when every file is valid, with a readable table (English, or Chinese by the locale)", async function () {
    const run = await runCli(["verify", files.good, files.marriage, files.presentation, files.reply, ...registryFlags(env)]);
    expect(run.code, run.stderr + run.stdout).to.equal(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).to.match(/^INPUT\s+VERDICT\s+TYPE\s+ISSUER\s+ANCHORED\s+REASON$/);
    expect(run.stdout).to.include("Business licence").and.include("Marriage certificate").and.include("上海市市场监督管理局").and.include("上海市民政局");
    expect(run.stdout).to.include("4 checked: 4 valid");

    const zh = await runCli(["verify", files.good, files.marriage, files.presentation, files.reply, ...registryFlags(env)], { env: { LANG: "zh_CN.UTF-8" } });
    expect(zh.code, zh.stderr + zh.stdout).to.equal(0);
    expect(zh.stdout.split("\n")[0]).to.match(/^输入\s+结论\s+证照类型\s+发证机关\s+上链时间\s+原因$/);
    expect(zh.stdout).to.include("营业执照").and.include("结婚证").and.include("共核验 4 项：有效 4 项");

    // The anchor time as every view writes it (display/time.ts: China's time with its offset), ISO 8601 in JSON.
    const json = await runCli(["verify", files.good, ...registryFlags(env), "--json"]);
    const [{ anchoredAt }] = JSON.parse(json.stdout) as { anchoredAt: string }[];
    expect(anchoredAt).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
    expect(run.stdout).to.include(formatTime(anchoredAt)).and.match(/\d{2}:\d{2}:\d{2} \(UTC\+8\)/);
    expect(zh.stdout).to.include(formatTime(anchoredAt));
  });

  it("exits non-zero on a tampered envelope, naming the failed check's code", async function () {
    for (const [file, code] of [[files.tampered, "INTEGRITY_UNREFERENCED_DISCLOSURE"], [files.forged, "ANCHOR_PROOF_INVALID"]]) {
      const run = await runCli(["verify", file, ...registryFlags(env)]);
      expect(run.code, run.stdout).to.equal(1);
      expect(run.stdout).to.include("invalid").and.include(code);
    }
    const mixed = await runCli(["verify", files.good, files.tampered, ...registryFlags(env)]);
    expect(mixed.code).to.equal(1);
    expect(mixed.stdout).to.include("2 checked: 1 valid, 1 invalid");
  });

  it("gives the SDK's results with --json, in input order, and reads the registry from --demo; a pending file gets its proof from the demo's service", async function () {
    // The service has anchored it by now (waited for, not assumed); the file is still the pending envelope of the reply.
    await anchored(env, env.tokens["sh-amr"], pendingId);
    const run = await runCli(["verify", files.good, files.pending, files.notJson, files.forged, "--demo", env.demoFile, "--json"]);
    expect(run.code).to.equal(1);
    const results = JSON.parse(run.stdout) as { input: string; verdict: string; reason: { code: string } | null; checks: unknown[] }[];
    expect(results.map((r) => [path.basename(r.input), r.verdict, r.reason?.code ?? null])).to.deep.equal([
      ["licence.json", "valid", null],
      ["pending.json", "valid", null],
      ["notes.txt", "invalid", "FORMAT_MALFORMED"],
      ["forged.json", "invalid", "ANCHOR_PROOF_INVALID"],
    ]);
    expect(results[0].checks).to.have.length(8);
    // Without a service to ask (only the chain given), the same file stays pending.
    const chainOnly = await runCli(["verify", files.pending, ...registryFlags(env), "--json"]);
    expect((JSON.parse(chainOnly.stdout) as { verdict: string }[])[0].verdict).to.equal("pending");
  });

  it("verifies every .json file of a directory", async function () {
    const run = await runCli(["verify", path.dirname(files.good), ...registryFlags(env), "--json"]);
    expect(run.code).to.equal(1);
    expect((JSON.parse(run.stdout) as unknown[]).length).to.equal(7);
  });

  it("finds the registry in the service's web-config.json when given only the API URL", async function () {
    const run = await runCli(["verify", files.good, files.marriage, "--json"], { env: { CERTCHAIN_API_URL: env.apiUrl } });
    expect(run.code, run.stderr + run.stdout).to.equal(0);
    const results = JSON.parse(run.stdout) as { verdict: string; registry: { name: string } }[];
    expect(results.map((r) => [r.verdict, r.registry.name])).to.deep.equal([
      ["valid", "cli test registry"],
      ["valid", "cli test registry"],
    ]);
  });

  it("trusts the registries of a --registries trust list, and refuses a list with a mistake by its JSON pointer", async function () {
    const list = path.join(dir, "registries.json");
    const { chainId, address, id, rpcUrl } = env.registry;
    writeFileSync(list, JSON.stringify([{ name: "上海市", id, chainId, address, rpcUrl }]));
    const run = await runCli(["verify", files.good, "--registries", list, "--json"]);
    expect(run.code, run.stderr + run.stdout).to.equal(0);
    expect(JSON.parse(run.stdout)[0].registry).to.deep.include({ name: "上海市", id });

    const mistakes: [unknown, RegExp][] = [
      [[{ name: "上海市", chainId, address, rpcUrl }], /\/0\/id: must be the registry id/],
      [[{ name: "上海市", id, chainId, address, rpcUrl, rpcURL: rpcUrl }], /\/0\/rpcURL: is not a field/],
      [[{ name: "上海市", id, chainId, address, rpcUrl }, { name: "上海市 (copy)", id, chainId, address, rpcUrl }], /TRUST_LIST_AMBIGUOUS/],
    ];
    for (const [content, message] of mistakes) {
      writeFileSync(list, JSON.stringify(content));
      const refused = await runCli(["verify", files.good, "--registries", list]);
      expect(refused.code, refused.stderr).to.equal(2);
      expect(refused.stderr).to.match(message);
    }
  });

  it("does not trust a registry it was not told about", async function () {
    const other = ["--rpc", env.rpcUrl, "--registry", `0x${"12".repeat(20)}`, "--chain-id", "31337"];
    const run = await runCli(["verify", files.good, ...other]);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.include("ANCHOR_UNTRUSTED_REGISTRY");
  });

  it("verifies a share link of a host it is allowed to open: fetches the ciphertext, decrypts it with the key from the fragment", async function () {
    // A stand-in share service (GET /v1/shares/:id), so this test needs only the SDK's link format.
    const shares = new Map<string, string>();
    let requests = 0;
    const stub = Fastify();
    stub.get<{ Params: { id: string } }>("/v1/shares/:id", async (request, reply) => {
      requests++;
      const ciphertext = shares.get(request.params.id);
      return ciphertext ? { ciphertext, expiresAt: new Date(Date.now() + 3_600_000).toISOString() } : reply.status(404).send({ error: { code: "SHARE_NOT_FOUND", message: "gone" } });
    });
    await stub.listen({ port: 0, host: "127.0.0.1" });
    try {
      const origin = `http://127.0.0.1:${(stub.server.address() as { port: number }).port}`;
      const shown = presentCredential(JSON.parse(readFileSync(files.good, "utf8")), ["company_name", "domicile"]);
      const { ciphertext, key } = await createShare(shown);
      shares.set("Q".repeat(22), ciphertext);
      const link = shareLinkOf(origin, "Q".repeat(22), key);
      // Not the service it talks to, and not named with --share-service: not fetched.
      const refused = await runCli(["verify", link, ...registryFlags(env), "--api", env.apiUrl, "--json"]);
      expect(refused.code).to.equal(1);
      expect(JSON.parse(refused.stdout)[0].reason.code).to.equal("SHARE_HOST_NOT_ALLOWED");
      expect(requests).to.equal(0);

      const run = await runCli(["verify", link, files.marriage, ...registryFlags(env), "--share-service", origin, "--json"]);
      expect(run.code, run.stdout).to.equal(0);
      const [result] = JSON.parse(run.stdout);
      expect(result.input).to.equal(link);
      expect(result.verdict).to.equal("valid");
      expect(Object.keys(result.claims).sort()).to.deep.equal(["company_name", "domicile"]);
      const wrongKey = await runCli(["verify", shareLinkOf(origin, "Q".repeat(22), "A".repeat(43)), ...registryFlags(env), "--share-service", `${origin}/`]);
      expect(wrongKey.code).to.equal(1);
      expect(wrongKey.stdout).to.include("SHARE_DECRYPT_FAILED");
    } finally {
      await stub.close();
    }
  });

  it("opens links of the service it talks to (--api): one that leads nowhere is SHARE_NOT_FOUND", async function () {
    const link = `${env.apiUrl}/s/${"A".repeat(22)}#${"B".repeat(43)}`;
    const run = await runCli(["verify", link, ...registryFlags(env), "--api", env.apiUrl, "--json"]);
    expect(run.code).to.equal(1);
    const [result] = JSON.parse(run.stdout);
    expect(result.verdict).to.equal("invalid");
    expect(result.reason.code).to.equal("SHARE_NOT_FOUND");
  });

  it("turns usage mistakes into one line on stderr and exit 2", async function () {
    const cases: [string[], RegExp][] = [
      [["verify", ...registryFlags(env)], /nothing to verify/],
      [["verify", path.join(dir, "missing.json"), ...registryFlags(env)], /no such file/],
      [["verify", files.good], /no trusted registry/],
      [["verify", files.good, "--rpc", env.rpcUrl, "--registry", "0x12", "--chain-id", "31337"], /registry address/],
      [["verify", files.good, "--colour"], /Unknown option '--colour'/],
      [["verify", files.good, ...registryFlags(env), "--share-service", "ftp://files.example"], /--share-service must be an http\(s\) origin/],
      // A repeated single-valued flag used to keep the last value silently (issue 13).
      [["verify", files.good, "--rpc", env.rpcUrl, "--rpc", "http://127.0.0.1:9", "--registry", env.registry.address, "--chain-id", "31337"], /--rpc is given 2 times .* --registries <file>/],
      [["verify", files.good, ...registryFlags(env), "--registry", env.registry.address], /--registry is given 2 times/],
      [["verify", files.good, ...registryFlags(env), "--chain-id", "1"], /--chain-id is given 2 times \("31337", "1"\)/],
      [["verify", files.good, ...registryFlags(env), "--json", "--json"], /--json is given 2 times/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).to.equal(2);
      expect(run.stderr).to.match(message);
      expect(run.stderr.trim().split("\n"), run.stderr).to.have.length(1);
      expect(run.stdout).to.equal("");
    }
  });
});
