import { copyFileSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { expect } from "chai";
import ts from "typescript";
import type { Envelope } from "@certchain/sdk";
import { sharedChromium } from "../browser/chromium";
import { startDevNode, type DevNode } from "../../server/chain/dev-node";
import { deployRegistryOnNode, type NodeRegistry } from "../support/node-registry";
import { freePort } from "../support/ports";
import { replaceDisclosure } from "../support/tamper";
import { installedVersion, mustRunOutside as mustRun, sdkProject, type PackedSdk } from "../support/sdk-tarball";

// What a department does: `npm pack -w sdk` here, `npm install <tarball>` in a project of its
// own (a temporary directory outside this repository, so nothing resolves from our
// node_modules: test/support/sdk-tarball.ts), then verify against a running chain from plain Node (ESM and CommonJS) and from
// a page in Chromium that loads the browser build. The chain is a Hardhat node in its own
// process with a registry, an agency and a certificate set up by this test.

const ROOT = path.join(__dirname, "..", "..");
// What the SDK must not drag into a department's project.
const FORBIDDEN = /^(hardhat|@nomicfoundation\/.+|fastify|@fastify\/.+|level|classic-level|abstract-level|ts-node|typescript|ajv)$/;

// The scripts a department would write, verbatim: verify each file named on the command line.
const ESM_SCRIPT = `import { readFile } from "node:fs/promises";
import { verify } from "@certchain/sdk";

const registries = JSON.parse(await readFile("registries.json", "utf8"));
const results = {};
for (const file of process.argv.slice(2)) {
  const result = await verify(await readFile(file, "utf8"), { registries });
  results[file] = { verdict: result.verdict, code: result.reason?.code ?? null, issuer: result.issuer?.name ?? null };
}
process.stdout.write(JSON.stringify(results));
`;

const CJS_SCRIPT = `const { readFileSync } = require("node:fs");
const { verify } = require("@certchain/sdk");

async function main() {
  const registries = JSON.parse(readFileSync("registries.json", "utf8"));
  const results = {};
  for (const file of process.argv.slice(2)) {
    const result = await verify(readFileSync(file, "utf8"), { registries });
    results[file] = { verdict: result.verdict, code: result.reason?.code ?? null, issuer: result.issuer?.name ?? null };
  }
  let internal = "importable";
  try {
    require("@certchain/sdk/internal");
  } catch (error) {
    internal = error.code;
  }
  process.stdout.write(JSON.stringify({ results, internal }));
}
main();
`;

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>certchain SDK in a page</title>
<script type="module" src="page.mjs"></script>
`;

const PAGE_SCRIPT = `import { verify } from "./certchain-sdk.browser.min.mjs";

const registries = await (await fetch("registries.json")).json();
const results = {};
for (const file of ["good.json", "tampered.json"]) {
  const result = await verify(await (await fetch(file)).text(), { registries });
  results[file] = { verdict: result.verdict, code: result.reason?.code ?? null, issuer: result.issuer?.name ?? null };
}
document.body.dataset.results = JSON.stringify(results);
`;

describe("sdk package: the packed tarball installs in a clean project and verifies in Node (ESM, CommonJS) and Chromium", function () {
  this.timeout(300_000);
  let project: string;
  let node: DevNode | undefined;
  let chain: NodeRegistry;
  let packed: PackedSdk;
  let good: Envelope;

  before(async function () {
    // Packing (a fresh build: prepack) and installing overlap with starting the chain. Node's
    // types, as a department writing TypeScript for Node has them (for the README snippet's check).
    const install = sdkProject("sdk-consumer", [`@types/node@${installedVersion("@types/node")}`]).then((made) => ({ dir: project, packed } = made));
    const setUp = (async () => {
      node = await startDevNode({ port: await freePort(), logFile: "/dev/null" });
      chain = await deployRegistryOnNode(node.rpcUrl);
      good = await chain.issueAnchored("business-licence");
    })();
    await Promise.all([install, setUp]);

    // A disclosed value changed after signing: its disclosure no longer matches a signed digest.
    const tampered = replaceDisclosure(good, 0, ([salt, name]) => [salt, name, "假冒科技有限公司"]);
    writeFileSync(path.join(project, "good.json"), JSON.stringify(good, null, 2));
    writeFileSync(path.join(project, "tampered.json"), JSON.stringify(tampered, null, 2));
    writeFileSync(path.join(project, "registries.json"), JSON.stringify([chain.registry]));
  });

  after(async function () {
    await node?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it("packs a fresh build: ESM, CommonJS, declarations, the browser bundle, README and CHANGELOG, and no sources", () => {
    const files = packed.files.map((f) => f.path);
    for (const file of ["package.json", "README.md", "CHANGELOG.md", "dist/index.mjs", "dist/index.cjs", "dist/index.d.mts", "dist/types/index.d.ts", "dist/certchain-sdk.browser.min.mjs"]) {
      expect(files).to.include(file);
    }
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.endsWith(".d.mts"))).to.deep.equal([]);
    expect(files.filter((f) => f.startsWith("dist/types/internal"))).to.deep.equal([]);
  });

  it("installs without Hardhat, fastify, LevelDB, ts-node or TypeScript (npm ls --all)", async () => {
    const listing = await mustRun("npm", ["ls", "--all", "--parseable", "--omit=dev"], project);
    const names = listing
      .trim()
      .split("\n")
      .slice(1) // the project itself
      .map((dir) => dir.split(`${path.sep}node_modules${path.sep}`).pop()!);
    expect(names).to.include("@certchain/sdk").and.include("jose");
    // Chain reads are plain JSON-RPC over fetch since 2.0.0: ethers is not installed either.
    expect(names).to.not.include("ethers");
    expect(names.filter((name) => FORBIDDEN.test(name))).to.deep.equal([]);
    console.log(
      `      tarball ${(statSync(packed.tarball).size / 1024).toFixed(1)} KiB (unpacked ${(packed.unpackedSize / 1024).toFixed(0)} KiB); ` +
        `${names.length} installed packages`,
    );
  });

  it("verifies from a plain Node ES module (import): the certificate valid, the tampered copy invalid", async () => {
    writeFileSync(path.join(project, "verify.mjs"), ESM_SCRIPT);
    const results = JSON.parse(await mustRun(process.execPath, ["verify.mjs", "good.json", "tampered.json"], project));
    expect(results["good.json"]).to.deep.equal({ verdict: "valid", code: null, issuer: chain.agency.name });
    expect(results["tampered.json"]).to.deep.equal({ verdict: "invalid", code: "INTEGRITY_UNREFERENCED_DISCLOSURE", issuer: null });
  });

  it("verifies from CommonJS (require) the same way, and the repository-only internal entry is not exported", async () => {
    writeFileSync(path.join(project, "verify.cjs"), CJS_SCRIPT);
    const { results, internal } = JSON.parse(await mustRun(process.execPath, ["verify.cjs", "good.json", "tampered.json"], project));
    expect(results["good.json"]).to.deep.equal({ verdict: "valid", code: null, issuer: chain.agency.name });
    expect(results["tampered.json"]).to.deep.equal({ verdict: "invalid", code: "INTEGRITY_UNREFERENCED_DISCLOSURE", issuer: null });
    expect(internal).to.equal("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });

  it("type-checks the README's SDK snippet as written, as an ES module (.mts) against the installed package", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Verifying with the SDK"));
    const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(snippet, "a ts block in README's Verifying with the SDK").to.include('from "@certchain/sdk"');
    const file = path.join(project, "verify.mts");
    writeFileSync(file, snippet!);
    // What a department's tsconfig would say for Node ES modules, with @types/node installed.
    const program = ts.createProgram([file], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ["node"],
      typeRoots: [path.join(project, "node_modules", "@types")],
    });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(errors).to.deep.equal([]);
    // The package's own declarations were the ones used, not this repository's sources.
    expect(program.getSourceFiles().some((f) => f.fileName.startsWith(path.join(project, "node_modules", "@certchain", "sdk", "dist")))).to.equal(true);
  });

  describe("in Chromium, from the browser build", function () {
    let server: Server | undefined;
    let context: import("playwright-core").BrowserContext | undefined;

    after(async function () {
      await context?.close().catch(() => undefined);
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    });

    it("verifies the certificate valid and the tampered copy invalid, reading the Hardhat node over CORS under a CSP without 'unsafe-eval'", async function () {
      const bundle = path.join(project, "node_modules", "@certchain", "sdk", "dist", "certchain-sdk.browser.min.mjs");
      copyFileSync(bundle, path.join(project, "certchain-sdk.browser.min.mjs"));
      writeFileSync(path.join(project, "index.html"), PAGE);
      writeFileSync(path.join(project, "page.mjs"), PAGE_SCRIPT);
      const types: Record<string, string> = { ".html": "text/html; charset=utf-8", ".mjs": "text/javascript", ".json": "application/json" };
      const served = new Set(["index.html", "page.mjs", "certchain-sdk.browser.min.mjs", "good.json", "tampered.json", "registries.json"]);
      const rpcOrigin = new URL(chain.registry.rpcUrl).origin;
      server = createServer((request, response) => {
        const name = (request.url ?? "/").split("?")[0].slice(1) || "index.html";
        if (name === "favicon.ico") return response.writeHead(204).end();
        if (!served.has(name)) return response.writeHead(404).end();
        response.writeHead(200, {
          "content-type": types[path.extname(name)],
          // The page may talk to its own origin and the chain, and may not evaluate strings as code.
          "content-security-policy": `default-src 'self'; script-src 'self'; connect-src 'self' ${rpcOrigin}`,
        });
        response.end(readFileSync(path.join(project, name)));
      });
      const port = await freePort();
      await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));

      context = await (await sharedChromium(this)).browser.newContext();
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
      page.on("console", (message) => message.type() === "error" && problems.push(`console: ${message.text()}`));
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(() => document.body?.dataset.results !== undefined || false, undefined, { timeout: 60_000 }).catch(() => {
        throw new Error(`the page did not finish: ${problems.join("; ")}`);
      });
      const results = JSON.parse((await page.evaluate(() => document.body.dataset.results))!);
      expect(results["good.json"]).to.deep.equal({ verdict: "valid", code: null, issuer: chain.agency.name });
      expect(results["tampered.json"]).to.deep.equal({ verdict: "invalid", code: "INTEGRITY_UNREFERENCED_DISCLOSURE", issuer: null });
      expect(problems).to.deep.equal([]);
      const size = readFileSync(bundle);
      console.log(`      browser bundle ${(size.length / 1024).toFixed(1)} KiB minified, ${(gzipSync(size).length / 1024).toFixed(1)} KiB gzipped`);
    });
  });
});
