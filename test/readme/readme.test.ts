/**
 * The README is true: every ```sh block is run, command by command, the way a newcomer pastes it
 * into a fresh checkout while `npm start` runs in another terminal, and every ```ts block is
 * type-checked with the SDK resolvable. Commands that install, start the service, run the tests
 * or the benchmark are not run: they are recognised by the explicit list below and reported, never
 * skipped silently. What only holds on the reader's machine (ports, paths) is rewritten, and
 * `npx certchain` runs as pasted once, then from the CLI's bundle (see viaBundle); both are
 * printed. A failure names the block, its line in README.md, the command and its output. The
 * commands must leave nothing in the checkout but data/ and scratch/ (both git-ignored). The SDK
 * example (its TypeScript, its plain JavaScript and the commands that compile and run them) runs
 * exactly as printed in a new project of its own with the packed SDK installed.
 */
import { spawn, execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import ts from "typescript";
import { parseTrustList, typeMetadataProblems } from "@certchain/sdk";
import { HELP } from "../../server/config";
import { freePort } from "../support/ports";
import { killLeftoverNode, startServiceProcess, type ServiceProcess } from "../support/service-process";
import { cliBundle } from "../support/bundles";
import { installedVersion, runOutside, sdkProject } from "../support/sdk-tarball";

const ROOT = path.join(__dirname, "..", "..");
const README = path.join(ROOT, "README.md");

interface Block {
  lang: string;
  /** 1-based line in README.md of the block's first line of code. */
  line: number;
  code: string;
}

interface Command {
  block: number;
  /** 1-based README line where the command starts. */
  line: number;
  text: string;
}

/** Commands a test must not run, each with the reason; matched against the command's text. */
const NOT_RUN: { pattern: RegExp; why: string }[] = [
  { pattern: /^npm pack\b/, why: "builds and packs the SDK: test/sdk-package/ and the SDK example below use the packed tarball (test/support/sdk-tarball.ts)" },
  { pattern: /^npm install \S+\.tgz\b/, why: "installs the packed SDK into another project: the SDK example below (and test/sdk-package/) do that in a new project" },
  { pattern: /^npm (install|ci)\b/, why: "installs the dependencies: this checkout already has them" },
  { pattern: /^npm start\b(?!.*--help)/, why: "starts the service: this test starts it itself (npm start's script, a temporary data directory, free ports)" },
  { pattern: /^npm test\b|^npx hardhat test\b/, why: "runs the test suite, which this test is part of" },
  { pattern: /^npm run bench\b/, why: "the benchmark takes minutes and checks speed, not the README" },
  { pattern: /^npm run soak\b/, why: "the soak runs for half an hour; npm test runs its short form (test/e2e)" },
  { pattern: /^npm link\b/, why: "changes the machine's global npm folder" },
  { pattern: /^(sudo )?apt(-get)? /, why: "installs system packages" },
  { pattern: /^(podman|docker) run\b/, why: "needs a container engine, which the test machine lacks; it runs `npm start` with the settings the production run above uses (run by this test)" },
  { pattern: /^npx tsc\b|^node verify\.mjs\b/, why: "the SDK example's commands, for the verifying system's own project: run there (a new project with the packed SDK) by the SDK example test" },
];

/** What the README says that only holds on the reader's machine, rewritten to this test's. */
function rewrites(apiPort: number, chainPort: number, verifierPort: number, clone: string, production: { apiPort: number; chainPort: number }): { from: RegExp; to: string; why: string }[] {
  return [
    { from: /\b(localhost|127\.0\.0\.1):8080\b/g, to: `127.0.0.1:${production.apiPort}`, why: "the production run's API listens on a free port, not 8080" },
    { from: /\bPORT=8080\b/g, to: `PORT=${production.apiPort}`, why: "(the same)" },
    { from: /\b(localhost|127\.0\.0\.1):8546\b/g, to: `127.0.0.1:${production.chainPort}`, why: "the stand-in anvil chain listens on a free port, not 8546" },
    { from: /--port 8546\b/g, to: `--port ${production.chainPort}`, why: "(the same)" },
    { from: /(?<![\w.])\/(var\/lib|etc)\/certchain/g, to: `${clone}/scratch/srv/$1/certchain`, why: "the production run's data directory and secrets live in the test's scratch/, not in /var/lib and /etc" },
    { from: /\b(localhost|127\.0\.0\.1):3000\b/g, to: `127.0.0.1:${apiPort}`, why: "the API listens on a free port, not 3000" },
    { from: /\b(localhost|127\.0\.0\.1):8545\b/g, to: `127.0.0.1:${chainPort}`, why: "the chain listens on a free port, not 8545" },
    { from: /\b(localhost|127\.0\.0\.1):3100\b/g, to: `127.0.0.1:${verifierPort}`, why: "certchain verifier listens on a free port, not 3100" },
    { from: /--port 3100\b/g, to: `--port ${verifierPort}`, why: "(the same)" },
    { from: /\/path\/to\/certchain\b/g, to: clone, why: "the placeholder for where the checkout is" },
    { from: /--retry \d+ --retry-delay 1\b/g, to: "--retry 600 --retry-delay 1", why: "a start waited for on a test machine busy with other tests can take minutes, not the reader's seconds" },
  ];
}

/**
 * `npx certchain` starts bin.js, which loads the CLI's TypeScript through ts-node: seconds per
 * command. The first `npx certchain` command runs as pasted, and so does `npm exec --prefix …
 * certchain`: they check the way in (npm's bin link, .npmrc's source condition, bin.js, ts-node).
 * The others run the same CLI from its bundle (test/support/bundles.ts): what each of them does
 * with its arguments, files, service and chain is still checked, in a fraction of the time. (The
 * CLI's commands are also run under ts-node by test/cli.)
 */
function viaBundle(bundle: string): { from: RegExp; to: string; why: string } {
  // After any VAR=value settings in front of it (`DATA_DIR=… npx certchain keys export`).
  return { from: /^((?:[A-Z][A-Z0-9_]*=\S*\s+(?:\\\n\s*)?)*)npx certchain\b/, to: `$1node ${bundle}`, why: "after the first `npx certchain`, the same CLI from its bundle (started in a fraction of the time)" };
}

function readmeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```\s*([A-Za-z0-9_-]*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    if (end >= lines.length) throw new Error(`README.md line ${i + 1}: a code block is never closed`);
    blocks.push({ lang: open[1].toLowerCase(), line: start + 1, code: lines.slice(start, end).join("\n") });
    i = end;
  }
  return blocks;
}

/** A shell block as commands: one per line, `\` continuations joined; comments and blank lines dropped. */
function commandsOf(block: Block, index: number): Command[] {
  const commands: Command[] = [];
  const lines = block.code.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const first = i;
    let text = lines[i];
    // The backslash-newline stays: bash joins the lines itself.
    while (/\\\s*$/.test(text) && i + 1 < lines.length) text = `${text.replace(/\s+$/, "")}\n${lines[++i]}`;
    // A trailing "# comment" is the README explaining the command, not part of it.
    const command = text.replace(/\s+#\s[^'"]*$/, "").trim();
    if (command === "" || command.startsWith("#")) continue;
    commands.push({ block: index, line: block.line + first, text: command });
  }
  return commands;
}

/** A checkout as a newcomer has it: the repository's files (linked, not copied) and its own ./data. */
function makeCheckout(): string {
  const clone = mkdtempSync(path.join(tmpdir(), "certchain-readme-"));
  for (const entry of readdirSync(ROOT)) {
    if ([".git", "data", "test-artifacts", "scratch", ".scratch"].includes(entry)) continue;
    symlinkSync(path.join(ROOT, entry), path.join(clone, entry));
  }
  mkdirSync(path.join(clone, "data"));
  return clone;
}

interface Outcome {
  command: Command;
  run: string;
  code: number;
  output: string;
}

const MARK = "@@readme-command@@";

/** Runs the commands in one bash session (variables carry from line to line), stopping at the first failure. */
function runCommands(commands: { command: Command; run: string }[], cwd: string): Promise<Outcome[]> {
  const script = [
    "exec 2>&1",
    // Job control, as in a terminal: `kill %1` stops a background command with its children
    // (npx does not pass a SIGTERM on to the program it runs).
    "set -m",
    // A failed command ends the session: its background commands (a service, a chain) go with it,
    // or they would keep the output pipe open and the test would wait for its timeout, not report.
    "trap 'for job in $(jobs -p); do kill -- -$job 2>/dev/null; done' EXIT",
    ...commands.flatMap(({ run }, i) => [`printf '\\n${MARK} start ${i}\\n'`, run, `__rc=$?; printf '\\n${MARK} end ${i} %s\\n' "$__rc"; [ "$__rc" -eq 0 ] || exit 97`]),
  ].join("\n");
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith("CERTCHAIN_") || key.startsWith("TS_NODE_") || key === "DATA_DIR") delete env[key];
    const child = spawn("bash", ["-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 600_000);
    child.once("error", reject);
    child.once("close", () => {
      clearTimeout(timer);
      const outcomes: Outcome[] = [];
      commands.forEach(({ command, run }, i) => {
        const start = output.indexOf(`${MARK} start ${i}\n`);
        if (start === -1) return;
        const endMatch = new RegExp(`\\n${MARK} end ${i} (\\d+)\\n`).exec(output.slice(start));
        const body = output.slice(start + `${MARK} start ${i}\n`.length, endMatch ? start + endMatch.index : undefined);
        outcomes.push({ command, run, code: endMatch ? Number(endMatch[1]) : -1, output: body });
      });
      resolve(outcomes);
    });
  });
}

/** What a block's failure says: where it is in README.md, what ran, and what came out. */
const describeFailure = (o: Outcome, why: string) =>
  `README.md block ${o.command.block + 1}, line ${o.command.line}: ${why}\n  command: ${o.command.text}\n  ran as:  ${o.run}\n  exit:    ${o.code}\n  output:\n${o.output.trim().split("\n").slice(-40).map((l) => `    ${l}`).join("\n")}`;

describe("README.md: every command works pasted into a fresh checkout, every TypeScript snippet compiles", function () {
  this.timeout(900_000);
  const blocks = readmeBlocks(readFileSync(README, "utf8"));

  it("has shell and TypeScript blocks to check (the extraction itself works)", () => {
    expect(blocks.filter((b) => b.lang === "sh").length, "```sh blocks").to.be.at.least(2);
    expect(blocks.filter((b) => b.lang === "ts").length, "```ts blocks").to.be.at.least(1);
    // json: checked below; java: compiled and run against a verifier by test/e2e/verifier-service.test.ts;
    // js: the SDK example's plain JavaScript, run below; ini: the systemd unit, checked below.
    const unknown = blocks.filter((b) => !["sh", "bash", "shell", "ts", "typescript", "js", "json", "java", "ini", ""].includes(b.lang));
    expect(unknown.map((b) => `line ${b.line}: ${b.lang}`), "blocks of other languages are not checked: add them here").to.deep.equal([]);
  });

  it("every ```json block is JSON; a trust list among them is one certchain reads, a certificate type request one the service accepts", () => {
    const jsonBlocks = blocks.filter((b) => b.lang === "json");
    for (const block of jsonBlocks) {
      let value: any;
      expect(() => (value = JSON.parse(block.code)), `README.md line ${block.line}`).not.to.throw();
      if (Array.isArray(value)) expect(() => parseTrustList(value), `README.md line ${block.line}`).to.not.throw();
      if (value && typeof value === "object" && "metadata" in value && "typeCode" in value) {
        const problems = typeMetadataProblems({ ...value.metadata, "certchain:type_code": value.typeCode }, { vct: "absent" });
        expect(problems, `README.md line ${block.line}: the POST /v1/types example`).to.deep.equal([]);
      }
    }
  });

  it("every ```ini block (the systemd unit) sets only settings `npm start` knows, reads secrets from files, and starts it in production", () => {
    const units = blocks.filter((b) => b.lang === "ini");
    expect(units.length, "the systemd unit of Running it for real").to.be.at.least(1);
    for (const unit of units) {
      const settings = [...unit.code.matchAll(/^Environment=([A-Z_]+)=/gm)].map((m) => m[1]);
      const unknown = settings.filter((name) => name !== "NODE_ENV" && !new RegExp(`^  ${name}\\b`, "m").test(HELP));
      expect(unknown, `README.md line ${unit.line}: settings npm start -- --help does not list`).to.deep.equal([]);
      expect(settings).to.include.members(["NODE_ENV", "CERTCHAIN_PASSPHRASE_FILE", "CHAIN_MNEMONIC_FILE", "CHAIN_RPC_URL", "PUBLIC_URL"]);
      expect(unit.code, "the secrets are credentials, not environment values").to.not.match(/^Environment=(CERTCHAIN_PASSPHRASE|CHAIN_MNEMONIC)=/m);
      expect(unit.code).to.match(/^Environment=NODE_ENV=production$/m).and.match(/^UMask=0077$/m);
    }
  });

  it("every ```ts block type-checks against the SDK, as a module of a project that installed @certchain/sdk", () => {
    const tsBlocks = blocks.map((b, i) => ({ ...b, index: i })).filter((b) => b.lang === "ts" || b.lang === "typescript");
    // ES modules (.mts, module nodenext), as the README tells a department to compile them: top-level
    // await is fine, `import … from "@certchain/sdk"` resolves to the SDK's sources here.
    const files = new Map(tsBlocks.map((b) => [path.join(ROOT, `README.block-${b.index + 1}.mts`), b]));
    const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const options: ts.CompilerOptions = {
      ...config.options,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      customConditions: ["certchain-source"],
    };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.fileExists = (name) => files.has(path.resolve(name)) || ts.sys.fileExists(name);
    host.readFile = (name) => files.get(path.resolve(name))?.code ?? readFile(name);
    host.getSourceFile = (name, version, onError, create) => {
      const block = files.get(path.resolve(name));
      return block ? ts.createSourceFile(name, block.code, version, true) : getSourceFile(name, version, onError, create);
    };
    const program = ts.createProgram([...files.keys()], options, host);
    // Only the blocks' own diagnostics: asked per block, the checker looks at the SDK's sources only
    // as far as the blocks use them, instead of checking all of them (tsc --noEmit does that).
    const problems = [...files.keys()]
      .flatMap((file) => ts.getPreEmitDiagnostics(program, program.getSourceFile(file)))
      .filter((d) => d.file && files.has(path.resolve(d.file.fileName)))
      .map((d) => {
        const block = files.get(path.resolve(d.file!.fileName))!;
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        return `README.md block ${block.index + 1}, line ${block.line + line}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}\n    ${block.code.split("\n")[line]}`;
      });
    expect(problems, problems.join("\n")).to.deep.equal([]);
  });

  describe("the ```sh blocks, against a real `npm start` (its script, a temporary data directory, free ports)", function () {
    let clone: string;
    let service: ServiceProcess | undefined;
    let chainPort: number;
    let rules: ReturnType<typeof rewrites>;
    /** The verifying system's own project for the SDK example: packed and installed while the service starts. */
    let project: Promise<{ dir: string }> | undefined;

    before(async function () {
      clone = makeCheckout();
      chainPort = await freePort();
      // What the README tells the department to install beside the SDK, in the versions this machine's npm cache has.
      project = sdkProject("readme-sdk", [`typescript@${installedVersion("typescript")}`, `@types/node@${installedVersion("@types/node")}`]);
      project.catch(() => undefined); // reported by the test that uses it
      // As `npm start` in the checkout: its own ./data, default batch delay and rate limit.
      service = await startServiceProcess(path.join(clone, "data"), { chainPort, env: { BATCH_DELAY_MS: "2000", RATE_LIMIT_PER_MINUTE: "3000", LOG_LEVEL: "warn" } });
    });
    after(async function () {
      await service?.stop().catch(() => undefined);
      const made = await project?.catch(() => undefined);
      if (made) rmSync(made.dir, { recursive: true, force: true });
      if (clone) {
        killLeftoverNode(path.join(clone, "data"));
        rmSync(clone, { recursive: true, force: true });
      }
    });

    it("runs every command (those not run are listed with the reason) and each one succeeds", async function () {
      const apiPort = Number(new URL(service!.demo.apiUrl).port);
      rules = rewrites(apiPort, chainPort, await freePort(), clone, { apiPort: await freePort(), chainPort: await freePort() });
      const before = new Set(readdirSync(clone));
      const bundled = viaBundle(await cliBundle());
      const all = blocks.flatMap((b, i) => (["sh", "bash", "shell"].includes(b.lang) ? commandsOf(b, i) : []));
      const toRun: { command: Command; run: string }[] = [];
      const notRun: string[] = [];
      const asPasted: string[] = [];
      for (const command of all) {
        const reason = NOT_RUN.find((r) => r.pattern.test(command.text));
        if (reason) {
          notRun.push(`line ${command.line}: ${command.text.split("\n")[0]}  — not run: ${reason.why}`);
          continue;
        }
        const firstNpx = /^npx certchain\b/.test(command.text) && !toRun.some((r) => /^npx certchain\b/.test(r.command.text));
        if (firstNpx) asPasted.push(`line ${command.line}: ${command.text}`);
        toRun.push({ command, run: [...rules, ...(firstNpx ? [] : [bundled])].reduce((text, r) => text.replace(r.from, r.to), command.text) });
      }
      console.log(`    README commands not run (${notRun.length}):\n${notRun.map((l) => `      ${l}`).join("\n")}`);
      console.log(`    rewritten for this machine: ${[...rules, bundled].map((r) => `${r.from.source} → ${r.to} (${r.why})`).join("; ")}`);
      console.log(`    \`npx certchain\` as pasted: ${asPasted.join("; ")}`);
      expect(asPasted, "the first npx certchain command runs as pasted").to.have.length(1);
      expect(toRun.length, "commands to run").to.be.at.least(5);

      const outcomes = await runCommands(toRun, clone);
      const failures: string[] = [];
      for (const o of outcomes) {
        if (o.code !== 0) failures.push(describeFailure(o, `exited ${o.code}`));
        // curl -s exits 0 on an HTTP error: an API error body is a failure too.
        else if (/"error"\s*:\s*\{\s*"code"/.test(o.output)) failures.push(describeFailure(o, "the API answered with an error"));
      }
      const missing = toRun.slice(outcomes.length).map(({ command }) => `README.md block ${command.block + 1}, line ${command.line}: never ran (an earlier command failed): ${command.text}`);
      expect([...failures, ...missing], [...failures, ...missing].join("\n\n")).to.deep.equal([]);

      // What the commands were for, checked as a reader would: the curl certificate came back anchored…
      const issued = outcomes.find((o) => /curl -s -X POST .*\/v1\/certificates/s.test(o.command.text));
      expect(issued, "the README issues a certificate with curl").to.not.equal(undefined);
      const reply = JSON.parse(issued!.output.trim().split("\n").pop()!);
      expect(reply.envelope.anchor.status, "Prefer: wait returns the anchored envelope").to.equal("anchored");
      // …and the CLI found the demo file by itself, issued, verified and notarised.
      const cli = outcomes.filter((o) => /^npx certchain /.test(o.command.text));
      expect(cli.length, "npx certchain commands").to.be.at.least(4);
      // …and the verifier service, started from the README, verified a certificate file.
      const verified = outcomes.find((o) => /curl -s -X POST \S+\/v1\/verify /.test(o.run));
      expect(verified, "the README posts a certificate to certchain verifier").to.not.equal(undefined);
      const answer = verified!.output.split("\n").find((line) => line.includes('"verdict"'));
      expect(JSON.parse(answer ?? "{}").verdict, verified!.output).to.equal("valid");
      // …and the production run added a department with an operator account of its own, and minted its system's token.
      const addedAgency = outcomes.find((o) => /curl -s -X POST \S+\/v1\/agencies -H/.test(o.run));
      expect(addedAgency, "Running it for real adds an agency").to.not.equal(undefined);
      const jsonLine = (o: Outcome) => JSON.parse(o.output.split("\n").find((line) => line.startsWith("{")) ?? "{}");
      expect(jsonLine(addedAgency!).service?.operator, addedAgency!.output).to.match(/^0x[0-9a-fA-F]{40}$/);
      const minted = outcomes.find((o) => /\/v1\/agencies\/gz-amr\/tokens/.test(o.run));
      expect(jsonLine(minted!).token, minted!.output).to.be.a("string");

      // …and nothing was left in the checkout: only npm start's data/ and the examples' scratch/,
      // both ignored by git (issue 22, point 9).
      const added = readdirSync(clone).filter((entry) => !before.has(entry));
      expect(added.sort(), "what the README's commands added to the checkout").to.deep.equal(["scratch"]);
      for (const entry of ["data", "scratch"]) {
        expect(() => execFileSync("git", ["-C", ROOT, "check-ignore", "-q", `${entry}/any-file`]), `git ignores ${entry}/`).to.not.throw();
      }
      expect(readdirSync(path.join(clone, "scratch"))).to.include.members(["licences.csv", "licences-certificates", "营业执照.pdf", "contract.txt", "certificate.json"]);
    });

    it("runs the SDK example in a new project exactly as printed: the TypeScript compiled with tsc and the plain .mjs, on an anchored file, a pending one (valid through proofServices) and both", async function () {
      const { sdk } = sdkExample(blocks);
      const { dir } = await project!;
      const demo = service!.demo;
      const agency = demo.agencies[0];
      // The certificate file of the README's verifier example, copied into the project as the README says.
      copyFileSync(path.join(clone, "scratch", "certificate.json"), path.join(dir, "certificate.json"));
      // A certificate issued without waiting: its file stays the pending envelope.
      const example = ((await (await fetch(`${demo.apiUrl}/v1/types`)).json()) as { id: string; schema: { examples: unknown[] } }[]).find((t) => t.id === agency.types[0])!;
      const issued = await fetch(`${demo.apiUrl}/v1/certificates`, {
        method: "POST",
        headers: { authorization: `Bearer ${agency.token}`, "content-type": "application/json" },
        body: JSON.stringify({ type: example.id, claims: example.schema.examples[0] }),
      });
      const { id, envelope } = (await issued.json()) as { id: string; envelope: { anchor: { status: string } } };
      expect(envelope.anchor.status).to.equal("pending");
      writeFileSync(path.join(dir, "pending.json"), JSON.stringify(envelope, null, 2));
      // Its batch anchored (waited for, not assumed): the service now has its proof.
      for (const deadline = Date.now() + 60_000; ; ) {
        const { status } = (await (await fetch(`${demo.apiUrl}/v1/certificates/${id}`, { headers: { authorization: `Bearer ${agency.token}` } })).json()) as { status: string };
        if (status !== "pending") break;
        if (Date.now() > deadline) throw new Error(`certificate ${id} was not anchored within a minute`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }

      const rewrite = (text: string) => rules.reduce((t, r) => t.replace(r.from, r.to), text);
      const bash = async (script: string) => {
        const result = await runOutside("bash", ["-c", `set -e\n${script}`], dir);
        expect(result.code, `${script}\n${result.stdout}\n${result.stderr}`).to.equal(0);
        return result.stdout.trim().split("\n").sort();
      };
      const printed = sdk.commands.map((c) => rewrite(c.text));
      const compile = printed.filter((c) => /^npx tsc\b/.test(c));
      const runs = printed.filter((c) => /^node verify\.mjs\b/.test(c));
      expect(compile, "the README compiles verify.mts with tsc").to.have.length(1);
      expect(runs, "the README runs node verify.mjs").to.have.length(1);
      // The printed run on the printed file, then the same on the pending file and on both.
      const withFiles = (files: string) => runs[0].replace(/ certificate\.json$/, ` ${files}`);
      const expected = (file: string) => `${file}: valid, ${agency.name}`;
      const variants = [
        { name: "verify.mts compiled by tsc", prepare: async () => (writeFileSync(path.join(dir, "verify.mts"), rewrite(sdk.typescript.code)), bash(compile[0])) },
        { name: "verify.mjs as printed", prepare: async () => writeFileSync(path.join(dir, "verify.mjs"), rewrite(sdk.javascript.code)) },
      ];
      for (const variant of variants) {
        rmSync(path.join(dir, "verify.mjs"), { force: true });
        await variant.prepare();
        expect(await bash(runs[0]), variant.name).to.deep.equal([expected("certificate.json")]);
        expect(await bash(withFiles("pending.json")), `${variant.name}: a pending file is valid once anchored (proofServices)`).to.deep.equal([expected("pending.json")]);
        expect(await bash(withFiles("certificate.json pending.json")), `${variant.name}: several files (verifyEach)`).to.deep.equal([expected("certificate.json"), expected("pending.json")]);
      }
      // What the README says it prints is what it printed.
      expect(sdk.claimedOutput).to.equal(expected("certificate.json"));
    });
  });
});

/** The SDK example of "Verifying with the SDK": its TypeScript, its plain JavaScript and the commands that compile and run it. */
function sdkExample(blocks: Block[]) {
  const markdown = readFileSync(README, "utf8");
  const sectionLine = markdown.split("\n").indexOf("## Verifying with the SDK") + 1;
  const after = blocks.map((b, i) => ({ ...b, index: i })).filter((b) => b.line > sectionLine);
  const typescript = after.find((b) => b.lang === "ts");
  const javascript = after.find((b) => b.lang === "js");
  const run = after.find((b) => b.lang === "sh" && /^node verify\.mjs /m.test(b.code));
  if (!typescript || !javascript || !run) throw new Error("README.md's Verifying with the SDK has a ts block, a js block and a sh block running node verify.mjs");
  const claimedOutput = /It prints `([^`]+)`/.exec(markdown.slice(markdown.indexOf(run.code)))?.[1];
  return { sdk: { typescript, javascript, commands: commandsOf(run, run.index), claimedOutput } };
}

describe("README.md: the SDK example's plain JavaScript is its TypeScript without the types", () => {
  it("has the same code, token for token (comments aside), once both are transpiled", () => {
    const { sdk } = sdkExample(readmeBlocks(readFileSync(README, "utf8")));
    const tokens = (code: string) => {
      const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, removeComments: true } }).outputText;
      const scanner = ts.createScanner(ts.ScriptTarget.ES2022, true, ts.LanguageVariant.Standard, js);
      const found: string[] = [];
      for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) found.push(scanner.getTokenText());
      return found;
    };
    expect(tokens(sdk.javascript.code)).to.deep.equal(tokens(sdk.typescript.code));
  });
});
