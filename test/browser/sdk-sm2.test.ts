import { expect } from "chai";
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { buildMerkleTree, credentialLeaf, createAnchoredEnvelope, type Envelope, type Hex } from "@certchain/sdk";
import { startDevNode, type DevNode } from "../../server/chain/dev-node";
import { freePort } from "../support/ports";
import { SM2_VECTORS, anchorSm2VectorsOnNode } from "../support/sm2-vectors";
import { sharedChromium, watch } from "./chromium";

// The SDK's browser build verifies SM2 (国密) certificates in Chromium: SM2 and SM3 run in pure
// JavaScript there (no node:crypto, no WebCrypto SM2), against a real chain. The frozen SM2
// vectors, plus forgeries that reach the signature check because their altered leaves are
// anchored too.

const ROOT = path.join(__dirname, "..", "..");

const PAGE = `<!doctype html><meta charset="utf-8"><title>SM2 in the browser</title><script type="module" src="page.mjs"></script>`;
const PAGE_SCRIPT = `import { verify } from "./sdk.mjs";
const { registries, envelopes } = await (await fetch("data.json")).json();
const results = [];
for (const envelope of envelopes) {
  const result = await verify(envelope, { registries });
  results.push({ verdict: result.verdict, code: result.reason?.code ?? null, signature: result.checks.find((c) => c.name === "signature").status });
}
document.body.dataset.results = JSON.stringify(results);
`;

/** The envelope's credential with one bit of the issuer-signed JWT's `part` (1 payload, 2 signature) flipped at byte `at`. */
function flipJwtBit(credential: string, part: 1 | 2, at: number): string {
  const [jwt, ...rest] = credential.split("~");
  const segments = jwt.split(".");
  const bytes = Buffer.from(segments[part], "base64url");
  bytes[at] ^= 1;
  segments[part] = bytes.toString("base64url");
  return [segments.join("."), ...rest].join("~");
}

describe("the SDK's browser build verifies SM2 certificates in Chromium", function () {
  this.timeout(180_000);
  let node: DevNode | undefined;
  let dir: string;
  let server: Server | undefined;
  let browser: Browser | undefined;

  before(async function () {
    ({ browser } = await sharedChromium(this));
    dir = mkdtempSync(path.join(tmpdir(), "certchain-sdk-sm2-"));
    node = await startDevNode({ port: await freePort(), logFile: path.join(dir, "node.log") });
  });
  after(async function () {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await node?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the frozen SM2 vectors verify as in Node; a changed signature, payload or disclosure fails with its code", async function () {
    const { registry, client } = await anchorSm2VectorsOnNode(node!.rpcUrl);
    const licence = SM2_VECTORS.cases[0].envelope as Envelope & { anchor: { status: "anchored" } };
    // Forgeries whose leaves are anchored as well, so that only the signature can catch them.
    const payloadJson = Buffer.from(licence.credential.split(".")[1], "base64url").toString();
    // A bit of the signature, and a bit of `iat`'s digits (the payload stays JSON, its meaning changes).
    const forgedCredentials = [flipJwtBit(licence.credential, 2, 7), flipJwtBit(licence.credential, 1, payloadJson.indexOf('"iat":') + 7)];
    const tree = buildMerkleTree(forgedCredentials.map(credentialLeaf));
    const receipt = await client.anchorRoot(tree.root, tree.size);
    const forged = forgedCredentials.map((credential) =>
      createAnchoredEnvelope(credential, { ...licence.anchor, root: tree.root, proof: tree.proofOf(credentialLeaf(credential))!, transaction: receipt.hash as Hex, block: receipt.blockNumber }),
    );
    const parts = licence.credential.split("~");
    const disclosure = Buffer.from(parts[1], "base64url");
    disclosure[disclosure.indexOf('",') - 1] ^= 1; // the salt's last character
    parts[1] = disclosure.toString("base64url");
    const changedDisclosure = { ...licence, credential: parts.join("~") };
    const envelopes = [...SM2_VECTORS.cases.map((c) => c.envelope), ...forged, changedDisclosure];

    const esbuild = await import("esbuild");
    const bundle = await esbuild.build({
      entryPoints: [path.join(ROOT, "sdk", "index.ts")],
      bundle: true,
      platform: "browser",
      format: "esm",
      target: "es2020",
      minify: true,
      write: false,
      logLevel: "silent",
      define: { "process.env.NODE_ENV": '"production"' },
    });
    const files: Record<string, [string, string | Uint8Array]> = {
      "index.html": ["text/html; charset=utf-8", PAGE],
      "page.mjs": ["text/javascript", PAGE_SCRIPT],
      "sdk.mjs": ["text/javascript", bundle.outputFiles[0].contents],
      "data.json": ["application/json", JSON.stringify({ registries: [registry], envelopes })],
    };
    const rpcOrigin = new URL(node!.rpcUrl).origin;
    server = createServer((request, response) => {
      const name = (request.url ?? "/").split("?")[0].slice(1) || "index.html";
      if (name === "favicon.ico") return response.writeHead(204).end();
      const file = files[name];
      if (!file) return response.writeHead(404).end();
      response.writeHead(200, { "content-type": file[0], "content-security-policy": `default-src 'self'; script-src 'self'; connect-src 'self' ${rpcOrigin}` });
      response.end(file[1]);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));

    const context = await browser!.newContext();
    try {
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(() => document.body?.dataset.results !== undefined, undefined, { timeout: 120_000 }).catch(() => {
        throw new Error(`the page did not finish: ${problems.join("; ")}`);
      });
      const results = JSON.parse((await page.evaluate(() => document.body.dataset.results))!);
      expect(results).to.deep.equal([
        ...SM2_VECTORS.cases.map((c) => (c.root ? { verdict: "valid", code: null, signature: "passed" } : { verdict: "pending", code: "ANCHOR_PENDING", signature: "skipped" })),
        { verdict: "invalid", code: "SIGNATURE_INVALID", signature: "failed" },
        { verdict: "invalid", code: "SIGNATURE_INVALID", signature: "failed" },
        { verdict: "invalid", code: "INTEGRITY_UNREFERENCED_DISCLOSURE", signature: "skipped" },
      ]);
      expect(problems).to.deep.equal([]);
    } finally {
      await context.close().catch(() => undefined);
    }
  });
});
