import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Wallet, parseEther } from "ethers";
import { creditCodeCheckCharacter, parseTrustList, verify, type Envelope } from "@certchain/sdk";
import { DEV_MNEMONIC, DEV_PASSPHRASE } from "../../server/config";
import { startAnvil, type Anvil } from "../support/anvil";
import { startBundle } from "../support/bundles";
import { openEntries } from "../support/private-files";
import { freePort } from "../support/ports";
import { waitFor } from "../support/service-process";

const ROOT = path.join(__dirname, "..", "..");

interface Running {
  child: ChildProcess;
  apiUrl: string;
  output: () => string;
  stop(): Promise<void>;
}

/** `npm start`'s script (its bundle) as a process; resolves once it prints that it runs, or rejects with what it printed. */
async function startNode(env: Record<string, string>, argv: string[] = []): Promise<Running> {
  const port = await freePort();
  let output = "";
  const child = spawn(process.execPath, [await startBundle(), ...argv], {
    cwd: ROOT,
    env: { ...withoutCertchainVariables(), PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info", BATCH_DELAY_MS: "300", RATE_LIMIT_PER_MINUTE: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = () => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));
  await waitFor("the service to start", () => {
    if (child.exitCode !== null) throw Object.assign(new Error(output), { exited: true });
    return output.includes("certchain is running");
  }, 120_000).catch((error) => {
    if (child.exitCode === null) child.kill("SIGKILL");
    throw new Error(`exit ${child.exitCode}: ${output || error.message}`);
  });
  return {
    child,
    apiUrl: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      child.kill("SIGINT");
      await exited();
    },
  };
}

/** The run of a start that must refuse: its exit code and what it printed. */
async function refusedStart(env: Record<string, string>, argv: string[] = []): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [await startBundle(), ...argv], { cwd: ROOT, env: { ...withoutCertchainVariables(), PORT: String(await freePort()), ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  return { code, output };
}

function withoutCertchainVariables(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(CERTCHAIN_|CHAIN_|DATA_DIR$|PUBLIC_URL$|NODE_ENV$|TS_NODE_)/.test(key)) env[key] = value;
  }
  return env;
}

async function api(apiUrl: string, method: string, url: string, token?: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${apiUrl}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** A unified social credit code of a Guangzhou (440100) authority, with its check character. */
const code = (first17: string) => first17 + creditCodeCheckCharacter(first17);
const DEPARTMENTS = [
  { slug: "gz-amr", name: "广州市市场监督管理局", creditCode: code("11440100MB2F30003"), types: ["business-licence", "production-licence"] },
  { slug: "gz-mca", name: "广州市民政局", creditCode: code("11440100MB2F30004"), types: ["marriage-certificate"] },
];

describe("e2e: production mode against an external anvil chain (issue 17)", function () {
  this.timeout(600_000);
  let anvil: Anvil | undefined;
  let node: Running | undefined;
  let work: string;
  const rootMnemonic = Wallet.createRandom().mnemonic!.phrase;

  before(async function () {
    work = mkdtempSync(path.join(tmpdir(), "certchain-production-"));
    anvil = await startAnvil({ mnemonic: rootMnemonic });
  });
  after(async function () {
    await node?.stop().catch(() => undefined);
    await anvil?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("refuses to start, saying what to do: the development passphrase, Hardhat's mnemonic, no PUBLIC_URL, a data directory others can read", async function () {
    const open = path.join(work, "open-data");
    mkdirSync(open, { mode: 0o755 });
    chmodSync(open, 0o755);
    const all = await refusedStart({ NODE_ENV: "production", DATA_DIR: open, CHAIN_RPC_URL: anvil!.rpcUrl });
    expect(all.code).to.equal(1);
    expect(all.output).to.include("production mode").and.include("development one").and.include("CERTCHAIN_PASSPHRASE_FILE");
    expect(all.output).to.include("Hardhat's published mnemonic").and.include("CHAIN_MNEMONIC_FILE");
    expect(all.output).to.include("PUBLIC_URL is not set");
    expect(all.output).to.include(`chmod 700 ${open}`);
    expect(readdirSync(open), "nothing written").to.deep.equal([]);

    // `npm start -- --production` is the same; plain http to a public host is refused too.
    const passphraseFile = path.join(work, "passphrase");
    writeFileSync(passphraseFile, "correct horse battery staple of Guangzhou\n", { mode: 0o600 });
    const http = await refusedStart({ DATA_DIR: path.join(work, "never"), CHAIN_RPC_URL: anvil!.rpcUrl, CERTCHAIN_PASSPHRASE_FILE: passphraseFile, CHAIN_MNEMONIC: DEV_MNEMONIC, PUBLIC_URL: "http://certs.gz.example.gov.cn" }, ["--production"]);
    expect(http.code).to.equal(1);
    expect(http.output).to.include("Hardhat's published mnemonic").and.include("is not https").and.not.include("development one");
    expect(existsSync(path.join(work, "never")), "no data directory created").to.equal(false);

    const devPassphrase = await refusedStart({ NODE_ENV: "production", DATA_DIR: path.join(work, "never"), CHAIN_RPC_URL: anvil!.rpcUrl, CERTCHAIN_PASSPHRASE: DEV_PASSPHRASE, CHAIN_MNEMONIC: rootMnemonic, PUBLIC_URL: "https://certs.gz.example.gov.cn" });
    expect(devPassphrase.code).to.equal(1);
    expect(devPassphrase.output).to.include("development one").and.not.include("mnemonic").and.not.include("PUBLIC_URL");
  });

  it("starts with no agencies; the root adds two departments whose operators are funded on anvil, each issues, certificates verify; an emptied operator is reported (503 OPERATOR_UNFUNDED, /readyz, the log once) and anchors once funded; after a restart tokens work and certificates verify", async function () {
    const dataDir = path.join(work, "data");
    const secrets = path.join(work, "secrets");
    mkdirSync(secrets, { mode: 0o700 });
    writeFileSync(path.join(secrets, "passphrase"), "a passphrase only the service knows\n", { mode: 0o600 });
    writeFileSync(path.join(secrets, "mnemonic"), `${rootMnemonic}\n`, { mode: 0o600 });
    const env = {
      NODE_ENV: "production",
      DATA_DIR: dataDir,
      CHAIN_RPC_URL: anvil!.rpcUrl,
      CERTCHAIN_PASSPHRASE_FILE: path.join(secrets, "passphrase"),
      CHAIN_MNEMONIC_FILE: path.join(secrets, "mnemonic"),
      PUBLIC_URL: "https://certs.gz.example.gov.cn",
    };
    node = await startNode(env);
    expect(node.output()).to.include("(production)").and.include("none yet");

    // The data directory and everything in it (LevelDB's own files too) is the owner's alone.
    expect(statSync(dataDir).mode & 0o777).to.equal(0o700);
    expect(openEntries(dataDir)).to.deep.equal([]);
    const tokenFile = path.join(dataDir, "root-token");
    expect(statSync(tokenFile).mode & 0o777).to.equal(0o600);
    const rootToken = readFileSync(tokenFile, "utf8").trim();
    expect(node.output(), "the root token is never printed").to.not.include(rootToken);
    expect(node.output()).to.include(tokenFile);

    expect((await api(node.apiUrl, "GET", "/v1/agencies")).body, "no demo agency").to.deep.equal([]);

    const tokens: Record<string, string> = {};
    const operators: Record<string, string> = {};
    for (const department of DEPARTMENTS) {
      const created = await api(node.apiUrl, "POST", "/v1/agencies", rootToken, department);
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      expect(created.body.creditCode).to.equal(department.creditCode);
      operators[department.slug] = created.body.service.operator;
      expect(created.body.service.funds.funded, "nobody funds operators on an external chain").to.equal(false);
      await anvil!.send("anvil_setBalance", [operators[department.slug], `0x${parseEther("10").toString(16)}`]);
      const minted = await api(node.apiUrl, "POST", `/v1/agencies/${department.slug}/tokens`, rootToken, { subject: `${department.slug}-business-system` });
      expect(minted.status).to.equal(201);
      tokens[department.slug] = minted.body.token;
    }
    expect(new Set(Object.values(operators)).size).to.equal(2);

    const registries = parseTrustList(readFileSync(path.join(dataDir, "registries.json"), "utf8"));
    const envelopes: Envelope[] = [];
    const ids: string[] = [];
    for (const department of DEPARTMENTS) {
      const type = department.types[0];
      const claims = (await api(node.apiUrl, "GET", "/v1/types")).body.find((t: any) => t.id === type).schema.examples[0];
      const issued = await api(node.apiUrl, "POST", "/v1/certificates", tokens[department.slug], { type, claims }, { prefer: "wait=30" });
      expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
      expect(issued.body.envelope.anchor.status).to.equal("anchored");
      envelopes.push(issued.body.envelope);
      ids.push(issued.body.id);
      const result = await verify(issued.body.envelope, { registries });
      expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
      expect(result.issuer?.name).to.equal(department.name);
    }

    // The first department's operator runs dry.
    const [amr] = DEPARTMENTS;
    const account = operators[amr.slug];
    const warnings = () => node!.output().split("\n").filter((line) => line.includes(`operator account ${account} of agency ${amr.slug} is out of funds`));
    // Logged when it was registered without funds; once more now that it runs dry, however often anchoring retries.
    const before = warnings().length;
    await anvil!.send("anvil_setBalance", [account, "0x0"]);
    const claims = (await api(node.apiUrl, "GET", "/v1/types")).body.find((t: any) => t.id === "business-licence").schema.examples[0];
    const pending = await api(node.apiUrl, "POST", "/v1/certificates", tokens[amr.slug], { type: "business-licence", claims });
    expect(pending.status, "issuing keeps accepting").to.equal(201);
    const firstId = ids[0];
    const suspend = await api(node.apiUrl, "POST", `/v1/certificates/${firstId}/suspend`, tokens[amr.slug], { reason: 1 });
    expect(suspend.status, JSON.stringify(suspend.body)).to.equal(503);
    expect(suspend.body.error.code).to.equal("OPERATOR_UNFUNDED");
    expect(suspend.body.error.message).to.include(amr.slug).and.include(account);
    expect(suspend.body.error.details).to.deep.equal([{ agency: amr.slug, account }]);
    const ready = await waitFor("/readyz to list the unfunded operator", async () => {
      const r = await api(node!.apiUrl, "GET", "/readyz");
      return r.body.operators.unfunded.some((o: any) => o.account === account) && r;
    });
    expect(ready.body.operators.unfunded.map((o: any) => o.agency)).to.deep.equal([amr.slug]);
    await waitFor("anchoring to report the operator", async () => ((await api(node!.apiUrl, "GET", "/readyz")).body.anchoring.lastError ?? "").includes("OPERATOR_UNFUNDED"));
    const lastError = (await api(node.apiUrl, "GET", "/readyz")).body.anchoring.lastError;
    expect(lastError).to.include(account).and.not.match(/0x[0-9a-fA-F]{100}/);
    expect(warnings(), "logged once, not on every retry").to.have.length(before + 1);

    await anvil!.send("anvil_setBalance", [account, `0x${parseEther("10").toString(16)}`]);
    const anchored = await waitFor(
      "the pending certificate to anchor once funded",
      async () => {
        const r = await api(node!.apiUrl, "GET", `/v1/certificates/${pending.body.id}`, tokens[amr.slug]);
        return r.body.status === "anchored" && r.body;
      },
      60_000,
    );
    expect((await verify(anchored.envelope, { registries })).verdict).to.equal("valid");
    expect(warnings()).to.have.length(before + 1);
    expect(node.output()).to.include(`operator account ${account} of agency ${amr.slug} is funded again`);

    // A restart: the same agencies, tokens, certificates; no demo; the root token is not written again.
    await node.stop();
    node = await startNode(env);
    expect(node.output()).to.include("written to").and.include("at the first start");
    expect(readFileSync(tokenFile, "utf8").trim()).to.equal(rootToken);
    const listed = (await api(node.apiUrl, "GET", "/v1/agencies")).body;
    expect(listed.map((a: any) => a.slug).sort()).to.deep.equal(DEPARTMENTS.map((d) => d.slug).sort());
    for (const department of DEPARTMENTS) {
      const again = await api(node.apiUrl, "POST", "/v1/certificates", tokens[department.slug], { type: department.types[0], claims: (await api(node.apiUrl, "GET", "/v1/types")).body.find((t: any) => t.id === department.types[0]).schema.examples[0] }, { prefer: "wait=30" });
      expect(again.status).to.equal(201);
      expect((await verify(again.body.envelope, { registries })).verdict).to.equal("valid");
    }
    for (const envelope of envelopes) expect((await verify(envelope, { registries })).verdict).to.equal("valid");
    expect(openEntries(dataDir)).to.deep.equal([]);
  });
});
