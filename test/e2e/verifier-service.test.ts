import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import type { Envelope } from "@certchain/sdk";
import { cliBundle } from "../support/bundles";
import { regions, type Regions } from "../support/regions";
import { waitFor } from "../support/service-process";
import { requireTools } from "../support/tools";

// `certchain verifier` as a department runs it: its own process on a real port, a trust list
// file with two regions, and the README's curl request and Java HttpClient class sent to it.

const ROOT = path.join(__dirname, "..", "..");
/** The CLI as one bundle (test/support/bundles.ts): it starts in a fraction of bin.js's ts-node time. */
let BIN: string;
/** The CLI speaks Chinese unless the locale says otherwise; these tests read its English. */
const ENGLISH = { ...process.env, LANG: "en_US.UTF-8", LC_ALL: "", LC_MESSAGES: "", CERTCHAIN_LANG: "" };

/** The README's fenced block of `language` that contains `marker`. */
function readmeBlock(language: string, marker: string): string {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const blocks = [...readme.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);
  const block = blocks.find((b) => b.includes(marker));
  if (!block) throw new Error(`README.md has no ${language} block with ${marker}`);
  return block;
}

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

async function startVerifier(args: string[]): Promise<Started> {
  let output = "";
  const child = spawn(process.execPath, [BIN, "verifier", ...args], { cwd: ROOT, env: ENGLISH, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const match = /listening on (http:\/\/\S+)/.exec(output);
    if (match) return { child, url: match[1], output: () => output };
    if (child.exitCode !== null) throw new Error(`certchain verifier exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`certchain verifier did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const stopped = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (code) => resolve(code))));

describe("certchain verifier, as its own process", function () {
  this.timeout(180_000);
  let r: Regions;
  let dir: string;
  let verifier: Started;
  let files: { a: string; b: string; c: string };

  before(async function () {
    BIN = await cliBundle();
    r = await regions();
    dir = mkdtempSync(path.join(tmpdir(), "certchain-verifier-"));
    const [a, b, c] = await Promise.all([r.a.issueAnchored("business-licence"), r.b.issueAnchored("business-licence"), r.c.issueAnchored("business-licence")]);
    const write = (name: string, envelope: Envelope) => {
      const file = path.join(dir, name);
      writeFileSync(file, JSON.stringify(envelope, null, 2));
      return file;
    };
    files = { a: write("a.json", a), b: write("b.json", b), c: write("c.json", c) };
    const list = [r.a, r.b].map(({ registry }) => ({ name: registry.name, id: registry.id, chainId: registry.chainId, address: registry.address, rpcUrl: registry.rpcUrl }));
    writeFileSync(path.join(dir, "registries.json"), JSON.stringify(list, null, 2));
    verifier = await startVerifier(["--registries", path.join(dir, "registries.json"), "--port", "0", "--log-level", "warn"]);
  });

  after(async function () {
    if (verifier && verifier.child.exitCode === null) {
      verifier.child.kill("SIGTERM");
      await stopped(verifier.child);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("says which registries it trusts and is ready", async function () {
    // The trust list is printed right after the "listening" line, which startVerifier waits for: maybe in a later chunk.
    await waitFor("the trust list in the verifier's output", () => verifier.output().includes(r.b.registry.id), 30_000);
    expect(verifier.output()).to.include(`${r.a.registry.name}  chain 31337`).and.include(r.b.registry.id);
    const ready = await fetch(`${verifier.url}/readyz`);
    expect(ready.status).to.equal(200);
  });

  it("answers the README's curl request: two regions valid and named, a third refused", function () {
    // The block's curl commands (backslash continuations kept); this test runs the verifier itself.
    requireTools(this, "curl");
    const commands = readmeBlock("sh", "/v1/verify").split(/\n(?=\S)/); // a continued command's lines are indented
    const curl = commands.filter((command) => command.startsWith("curl "));
    expect(curl).to.have.length(2);
    expect(curl.join("\n")).to.include("$(cat certificate.json)");
    for (const [file, verdict, name] of [
      [files.a, "valid", r.a.registry.name],
      [files.b, "valid", r.b.registry.name],
      [files.c, "invalid", undefined],
    ] as const) {
      // The README's command, run against this verifier's port and this certificate file.
      const script = curl.join("\n").replaceAll("localhost:3100", verifier.url).replaceAll("certificate.json", JSON.stringify(file));
      const run = spawnSync("bash", ["-c", script], { encoding: "utf8" });
      expect(run.status, run.stderr).to.equal(0);
      const [readiness, result] = splitJson(run.stdout);
      expect(JSON.parse(readiness).ready).to.equal(true);
      const body = JSON.parse(result);
      expect(body.verdict, JSON.stringify(body.reason)).to.equal(verdict);
      if (name) expect(body.registry.name).to.equal(name);
      else expect(body.reason.code).to.equal("ANCHOR_UNTRUSTED_REGISTRY");
    }
  });

  it("answers the README's Java HttpClient class (compiled with javac, run with java)", function () {
    const [javac, java] = requireTools(this, "javac", "java");
    const source = readmeBlock("java", "HttpClient");
    const classes = path.join(dir, "java");
    writeFileSync(path.join(dir, "VerifyCertificate.java"), source);
    const compiled = spawnSync(javac, ["-d", classes, path.join(dir, "VerifyCertificate.java")], { encoding: "utf8" });
    expect(compiled.status, `javac: ${compiled.stderr}${compiled.error ?? ""}`).to.equal(0);
    const run = spawnSync(java, ["-cp", classes, "VerifyCertificate", files.b, verifier.url], { encoding: "utf8", timeout: 60_000 });
    expect(run.status, run.stderr).to.equal(0);
    const [status, ...body] = run.stdout.trim().split(" ");
    expect(status).to.equal("200");
    const result = JSON.parse(body.join(" "));
    expect(result.verdict).to.equal("valid");
    expect(result.registry.name).to.equal(r.b.registry.name);
  });

  it("refuses to start on a trust list it cannot use, saying where the mistake is", function () {
    const bad = path.join(dir, "bad.json");
    const run = (content: unknown, extra: string[] = []) => {
      writeFileSync(bad, JSON.stringify(content));
      return spawnSync(process.execPath, [BIN, "verifier", "--registries", bad, "--port", "0", ...extra], { cwd: ROOT, env: ENGLISH, encoding: "utf8", timeout: 60_000 });
    };
    const entry = { name: "上海市", id: r.a.registry.id, chainId: 31337, address: r.a.registry.address, rpcUrl: r.a.registry.rpcUrl };
    // Each rule has its unit test (test/sdk/trust-list.test.ts); here, that the service applies them.
    const cases: [unknown, RegExp][] = [
      [[{ ...entry, address: "0x1234" }], /--registries .*bad\.json: \/0\/address: must be 0x followed by 40 hex digits \(TRUST_LIST_INVALID\)/],
      [[entry, { ...entry, name: "上海市 (again)" }], /entries 0 and 1 cannot be told apart: both name registry id .*TRUST_LIST_AMBIGUOUS/],
    ];
    for (const [content, message] of cases) {
      const result = run(content);
      expect(result.status, result.stderr).to.equal(2);
      expect(result.stderr).to.match(message);
      expect(result.stderr.trim().split("\n")).to.have.length(1);
    }
    const missing = spawnSync(process.execPath, [BIN, "verifier", "--port", "0"], { cwd: ROOT, env: ENGLISH, encoding: "utf8", timeout: 60_000 });
    expect(missing.status).to.equal(2);
    expect(missing.stderr).to.match(/--registries <file>/);
  });

  it("stops on SIGTERM", async function () {
    verifier.child.kill("SIGTERM");
    expect(await stopped(verifier.child)).to.equal(0);
  });
});

/** Two JSON documents printed back to back without a newline (curl -s adds none). */
function splitJson(text: string): [string, string] {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return [text.slice(0, i + 1), text.slice(i + 1)];
  }
  throw new Error(`not two JSON documents: ${text.slice(0, 200)}`);
}
