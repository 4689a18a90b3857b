import { expect } from "chai";
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildWebAssets, freshBuiltWebAssets, WEB_ENTRY_POINTS } from "../../server/web/build";

/**
 * A start serves the pages' bundles from disk when they were built from the sources as they are
 * (server/web/build.ts keeps a manifest of every file esbuild read), and builds them again as soon
 * as any of those files, the builder or the bundles themselves changed.
 */
describe("web bundles: reused while their sources are unchanged, rebuilt otherwise", function () {
  this.timeout(60_000);
  let built: string;
  let dir: string;
  const manifestFile = () => path.join(dir, "bundles.manifest.json");
  const manifest = () => JSON.parse(readFileSync(manifestFile(), "utf8")) as { builder: string; inputs: Record<string, string> };

  // One build; each test changes a copy of it.
  before(async function () {
    built = mkdtempSync(path.join(tmpdir(), "certchain-web-assets-"));
    await buildWebAssets({ dir: built });
  });
  beforeEach(function () {
    dir = `${built}-copy`;
    cpSync(built, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  after(() => rmSync(built, { recursive: true, force: true }));

  it("reuses the bundles on disk, byte for byte, and the manifest names every page's source and the SDK's", async function () {
    const fresh = await freshBuiltWebAssets(dir);
    expect(fresh, "fresh bundles").to.not.equal(undefined);
    for (const name of Object.keys(WEB_ENTRY_POINTS)) expect(fresh!.get(`${name}.bundle.js` as never)!.equals(readFileSync(path.join(dir, `${name}.bundle.js`)))).to.equal(true);
    const inputs = Object.keys(manifest().inputs);
    expect(inputs).to.include.members(Object.values(WEB_ENTRY_POINTS).map((file) => path.relative(path.join(__dirname, "..", ".."), file)));
    expect(inputs.some((input) => input.startsWith("sdk/verify/")), "the SDK's sources are inputs").to.equal(true);
  });

  it("builds again when a source changed since (its recorded hash no longer matches)", async function () {
    const changed = manifest();
    const [first] = Object.keys(changed.inputs);
    changed.inputs[first] = "0".repeat(64);
    writeFileSync(manifestFile(), JSON.stringify(changed));
    expect(await freshBuiltWebAssets(dir)).to.equal(undefined);
  });

  it("builds again for another builder (esbuild version, this file), a missing bundle or no manifest", async function () {
    const copy = `${dir}-2`;
    cpSync(dir, copy, { recursive: true });
    try {
      writeFileSync(manifestFile(), JSON.stringify({ ...manifest(), builder: "another" }));
      expect(await freshBuiltWebAssets(dir), "another builder").to.equal(undefined);
      unlinkSync(path.join(copy, "wallet.bundle.js"));
      expect(await freshBuiltWebAssets(copy), "a bundle missing").to.equal(undefined);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
    cpSync(built, dir, { recursive: true });
    expect(await freshBuiltWebAssets(dir), "restored").to.not.equal(undefined);
    unlinkSync(manifestFile());
    expect(await freshBuiltWebAssets(dir), "no manifest").to.equal(undefined);
  });

  it("minified bundles are not taken when the service asks for readable ones (CERTCHAIN_WEB_MINIFY=0)", async function () {
    const before = process.env.CERTCHAIN_WEB_MINIFY;
    process.env.CERTCHAIN_WEB_MINIFY = "0";
    try {
      expect(await freshBuiltWebAssets(dir)).to.equal(undefined);
    } finally {
      if (before === undefined) delete process.env.CERTCHAIN_WEB_MINIFY;
      else process.env.CERTCHAIN_WEB_MINIFY = before;
    }
    expect(await freshBuiltWebAssets(dir)).to.not.equal(undefined);
  });
});
