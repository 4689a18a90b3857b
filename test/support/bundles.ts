/**
 * The CLI and `npm start` as one JavaScript file each, for the tests that need them as real
 * processes (exit codes, signals, a terminal, a whole service): started with plain `node`, a
 * bundle is ready in a fraction of the seconds ts-node takes to load TypeScript and transpile.
 *
 * The bundle is the same code: our sources (scripts/, server/, the SDK's sources under the
 * `certchain-source` condition, as bin.js and `.npmrc` resolve it), with every npm package left
 * to `require` from node_modules at run time as it is under ts-node, and each source file's own
 * `__dirname` and `__filename` (artifacts, the hardhat CLI, the web pages, the signing worker are
 * found from there). Built once per test run: the file is named by the hash of what esbuild
 * wrote, and a manifest of the sources it read (with their hashes) lets the next process or a
 * parallel mocha worker reuse it until a source changes. It lives in node_modules/.cache so that
 * its `require`s find the repository's node_modules.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build, version as esbuildVersion, type Plugin } from "esbuild";

const ROOT = path.join(__dirname, "..", "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "certchain-bundles");

interface Manifest {
  bundle: string;
  /** What built it: esbuild's version, and this file with the recipe (options and entry). */
  builder: string;
  /** Source path (relative to the repository) → sha256 of its content when the bundle was built. */
  inputs: Record<string, string>;
}

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

/** npm packages stay `require`s resolved at run time; the SDK is bundled from its sources. */
const packagesFromNodeModules: Plugin = {
  name: "packages-from-node-modules",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith("@certchain/") ? undefined : { path: args.path, external: true }));
  },
};

/** Each source file keeps its own `__dirname` and `__filename` (in a bundle they would be the bundle's). */
const ownDirname: Plugin = {
  name: "own-dirname",
  setup(build) {
    build.onLoad({ filter: /\.(ts|js|mjs|cjs)$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = readFileSync(args.path, "utf8");
      if (!/\b__(dirname|filename)\b/.test(source)) return undefined;
      const own = `var __filename = ${JSON.stringify(args.path)}, __dirname = ${JSON.stringify(path.dirname(args.path))};`;
      return { contents: `${own}${source}`, loader: args.path.endsWith(".ts") ? "ts" : "js" };
    });
  },
};

interface Recipe {
  name: string;
  /** An entry file, or JavaScript run from the repository root. */
  entry: { file: string } | { code: string };
}

const RECIPES = {
  // What bin.js runs once ts-node is registered.
  cli: { name: "cli", entry: { code: `require("./scripts/cli/main.ts").runAsProcess();` } },
  start: { name: "start", entry: { file: path.join(ROOT, "scripts", "start.ts") } },
} satisfies Record<string, Recipe>;

/** The name esbuild gives a recipe's code among the inputs. */
const STDIN = "<recipe>";

const builderOf = (recipe: Recipe) => sha256([esbuildVersion, readFileSync(__filename, "utf8"), JSON.stringify(recipe)].join("\n"));

function fresh(manifestFile: string, builder: string): string | undefined {
  if (!existsSync(manifestFile)) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest;
    if (manifest.builder !== builder) return undefined;
    const bundle = path.join(CACHE, manifest.bundle);
    if (!existsSync(bundle)) return undefined;
    for (const [input, hash] of Object.entries(manifest.inputs)) {
      const file = path.join(ROOT, input);
      if (!existsSync(file) || sha256(readFileSync(file)) !== hash) return undefined;
    }
    return bundle;
  } catch {
    return undefined;
  }
}

/** Written whole under a unique name, then renamed: a parallel worker never reads half a file. */
function writeWhole(file: string, content: string | Uint8Array): void {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}

async function bundle(recipe: Recipe): Promise<string> {
  mkdirSync(CACHE, { recursive: true });
  const manifestFile = path.join(CACHE, `${recipe.name}.manifest.json`);
  const builder = builderOf(recipe);
  const cached = fresh(manifestFile, builder);
  if (cached) return cached;
  const result = await build({
    absWorkingDir: ROOT,
    ...("file" in recipe.entry ? { entryPoints: [recipe.entry.file] } : { stdin: { contents: recipe.entry.code, resolveDir: ROOT, sourcefile: STDIN, loader: "js" as const } }),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: `node${process.versions.node.split(".")[0]}`,
    conditions: ["certchain-source"],
    // Only the file node runs is its main module: a source's `require.main === module` (server/web/build.ts
    // builds the pages when run by itself) must not see the bundle's.
    define: { "require.main": "undefined" },
    // Class and function names as in the sources (errors and logs name them).
    keepNames: true,
    plugins: [packagesFromNodeModules, ownDirname],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  const name = `${recipe.name}-${sha256(code).slice(0, 16)}.cjs`;
  const file = path.join(CACHE, name);
  if (!existsSync(file)) writeWhole(file, code);
  const inputs: Record<string, string> = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    // The recipe's own code: part of the builder's hash.
    if (input === STDIN) continue;
    inputs[input] = sha256(readFileSync(path.join(ROOT, input)));
  }
  writeWhole(manifestFile, JSON.stringify({ bundle: name, builder, inputs } satisfies Manifest, null, 2));
  removeOldBundles(recipe.name, name);
  return file;
}

/** Bundles of earlier sources, once no run that started before could still be using them. */
function removeOldBundles(recipe: string, current: string): void {
  for (const name of readdirSync(CACHE)) {
    if (name === current || !name.startsWith(`${recipe}-`)) continue;
    try {
      if (Date.now() - statSync(path.join(CACHE, name)).mtimeMs > 3_600_000) unlinkSync(path.join(CACHE, name));
    } catch {
      // removed by a parallel worker
    }
  }
}

const built = new Map<string, Promise<string>>();
const once = (recipe: Recipe) => {
  if (!built.has(recipe.name)) built.set(recipe.name, bundle(recipe));
  return built.get(recipe.name)!;
};

/** `node <this file> <args>` runs the CLI as `certchain <args>` does. */
export const cliBundle = (): Promise<string> => once(RECIPES.cli);

/** `node <this file>` runs `npm start` (scripts/start.ts), configured by the same environment variables. */
export const startBundle = (): Promise<string> => once(RECIPES.start);
