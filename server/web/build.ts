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
 * Bundles the pages' TypeScript (with display/ and the SDK they verify with) for browsers with
 * esbuild and writes `server/web/assets/*.bundle.js`, each file replaced atomically. Takes about
 * a second.
 *
 * @example
 * const assets = await buildWebAssets();
 * assets.get("wallet.bundle.js"); // the wallet page's script
 */
export async function buildWebAssets(options: { minify?: boolean; write?: boolean } = {}): Promise<WebAssets> {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: WEB_ENTRY_POINTS,
    entryNames: "[name].bundle",
    outdir: ASSETS_DIR,
    bundle: true,
    platform: "browser",
    format: "iife",
    target: ["es2020"],
    minify: options.minify ?? process.env.CERTCHAIN_WEB_MINIFY !== "0",
    legalComments: "none",
    sourcemap: false,
    write: false,
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  const assets = new Map<`${BundleName}.bundle.js`, Buffer>();
  for (const file of result.outputFiles) assets.set(path.basename(file.path) as `${BundleName}.bundle.js`, Buffer.from(file.contents));
  if (options.write ?? true) {
    await mkdir(ASSETS_DIR, { recursive: true });
    for (const [name, contents] of assets) {
      const target = path.join(ASSETS_DIR, name);
      // Named to match the .gitignore rule, should a crash leave it behind.
      const temporary = target.replace(/\.bundle\.js$/, `.tmp-${process.pid}-${Date.now()}.bundle.js`);
      await writeFile(temporary, contents);
      await rename(temporary, target);
    }
  }
  return assets;
}

/** Bundles built earlier (e.g. where esbuild, a dev dependency, is not installed), or undefined. */
export function readBuiltWebAssets(): WebAssets | undefined {
  const assets = new Map<`${BundleName}.bundle.js`, Buffer>();
  for (const name of Object.keys(WEB_ENTRY_POINTS) as BundleName[]) {
    const file = path.join(ASSETS_DIR, `${name}.bundle.js`);
    if (!existsSync(file)) return undefined;
    assets.set(`${name}.bundle.js`, readFileSync(file));
  }
  return assets;
}

let building: Promise<WebAssets> | undefined;

/**
 * The bundles, built once per process on first use (so a fresh clone needs no build step and
 * a running service always serves bundles of its own sources). Falls back to bundles already on
 * disk when esbuild is unavailable.
 */
export function webAssets(): Promise<WebAssets> {
  building ??= buildWebAssets().catch((error: unknown) => {
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
