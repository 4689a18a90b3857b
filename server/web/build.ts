import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";

export const WEB_DIR = __dirname;
export const ASSETS_DIR = path.join(WEB_DIR, "assets");

/** One bundle per page (plus the service worker), written as `<name>.bundle.js` (gitignored). */
export const WEB_ENTRY_POINTS = {
  wallet: path.join(WEB_DIR, "src", "wallet.ts"),
  share: path.join(WEB_DIR, "src", "share-page.ts"),
  verify: path.join(WEB_DIR, "src", "verify-page.ts"),
  sw: path.join(WEB_DIR, "src", "sw.ts"),
} as const;

export type BundleName = keyof typeof WEB_ENTRY_POINTS;
export type WebAssets = ReadonlyMap<`${BundleName}.bundle.js`, Buffer>;

/**
 * What the bundles on disk were built from: the builder (esbuild's version, this file, the options)
 * and every file esbuild read, with its hash. While all still match, a start reuses the bundles
 * instead of running esbuild again (a second or so of CPU per process).
 */
const manifestIn = (dir: string) => path.join(dir, "bundles.manifest.json");
/** esbuild runs from the repository root, so the manifest's paths do not depend on where the service started. */
const ROOT = path.join(WEB_DIR, "..", "..");
interface Manifest {
  builder: string;
  /** Path (relative to the working directory esbuild ran in) → sha256 of the content it bundled. */
  inputs: Record<string, string>;
}

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");
/** An input's hash; esbuild also lists inputs that are no file (a package's `"browser": {"x": false}`). */
const hashOfInput = (input: string) => {
  const file = path.join(ROOT, input);
  return existsSync(file) ? sha256(readFileSync(file)) : "no file";
};
const builderOf = (esbuildVersion: string, minify: boolean) => sha256([esbuildVersion, readFileSync(__filename, "utf8"), String(minify)].join("\n"));
const minifyByDefault = () => process.env.CERTCHAIN_WEB_MINIFY !== "0";

/**
 * Bundles the pages' TypeScript (with display/ and the SDK they verify with) for browsers with
 * esbuild and writes `server/web/assets/*.bundle.js`, each file replaced atomically. Takes about
 * a second.
 *
 * @example
 * const assets = await buildWebAssets();
 * assets.get("wallet.bundle.js"); // the wallet page's script
 */
export async function buildWebAssets(options: { minify?: boolean; write?: boolean; dir?: string } = {}): Promise<WebAssets> {
  const dir = options.dir ?? ASSETS_DIR;
  const esbuild = await import("esbuild");
  const minify = options.minify ?? minifyByDefault();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: WEB_ENTRY_POINTS,
    entryNames: "[name].bundle",
    outdir: dir,
    bundle: true,
    platform: "browser",
    format: "iife",
    target: ["es2020"],
    minify,
    legalComments: "none",
    sourcemap: false,
    write: false,
    metafile: true,
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  const assets = new Map<`${BundleName}.bundle.js`, Buffer>();
  for (const file of result.outputFiles) assets.set(path.basename(file.path) as `${BundleName}.bundle.js`, Buffer.from(file.contents));
  if (options.write ?? true) {
    await mkdir(dir, { recursive: true });
    for (const [name, contents] of assets) {
      const target = path.join(dir, name);
      // Named to match the .gitignore rule, should a crash leave it behind.
      const temporary = target.replace(/\.bundle\.js$/, `.tmp-${process.pid}-${Date.now()}.bundle.js`);
      await writeFile(temporary, contents);
      await rename(temporary, target);
    }
    // Last, once the bundles it describes are in place.
    const inputs: Record<string, string> = {};
    for (const input of Object.keys(result.metafile.inputs)) inputs[input] = hashOfInput(input);
    const temporary = manifestIn(dir).replace(/\.json$/, `.tmp-${process.pid}-${Date.now()}.json`);
    await writeFile(temporary, JSON.stringify({ builder: builderOf(esbuild.version, minify), inputs } satisfies Manifest));
    await rename(temporary, manifestIn(dir));
  }
  return assets;
}

/** The bundles on disk if they were built, with these options, from the sources as they are now; else undefined. */
export async function freshBuiltWebAssets(dir = ASSETS_DIR): Promise<WebAssets | undefined> {
  try {
    const manifest = JSON.parse(readFileSync(manifestIn(dir), "utf8")) as Manifest;
    const { version } = await import("esbuild");
    if (manifest.builder !== builderOf(version, minifyByDefault())) return undefined;
    for (const [input, hash] of Object.entries(manifest.inputs)) {
      if (hashOfInput(input) !== hash) return undefined;
    }
    return readBuiltWebAssets(dir);
  } catch {
    return undefined; // no manifest, a source gone, or esbuild missing: build (or fall back) as before
  }
}

/** Bundles built earlier (e.g. where esbuild, a dev dependency, is not installed), or undefined. */
export function readBuiltWebAssets(dir = ASSETS_DIR): WebAssets | undefined {
  const assets = new Map<`${BundleName}.bundle.js`, Buffer>();
  for (const name of Object.keys(WEB_ENTRY_POINTS) as BundleName[]) {
    const file = path.join(dir, `${name}.bundle.js`);
    if (!existsSync(file)) return undefined;
    assets.set(`${name}.bundle.js`, readFileSync(file));
  }
  return assets;
}

let building: Promise<WebAssets> | undefined;

/**
 * The bundles, built once per process on first use (so a fresh clone needs no build step and
 * a running service always serves bundles of its own sources), or those on disk when they were
 * built from the same sources. Falls back to bundles already on disk when esbuild is unavailable.
 */
export function webAssets(): Promise<WebAssets> {
  building ??= freshBuiltWebAssets().then((fresh) => fresh ?? buildWebAssets()).catch((error: unknown) => {
    const built = readBuiltWebAssets();
    if (built) return built;
    building = undefined; // let a later request try again
    throw error;
  });
  return building;
}

// `ts-node server/web/build.ts` (or `node -r ts-node/register …`) builds the bundles ahead of time.
if (require.main === module) {
  buildWebAssets().then(
    (assets) => process.stdout.write(`built ${[...assets.keys()].join(", ")} in ${ASSETS_DIR}\n`),
    (error: unknown) => {
      process.stderr.write(`web build failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
