/**
 * The SDK as a department gets it: `npm pack -w sdk` (a fresh build: prepack), and a project of
 * the department's own, outside this repository, that installed the tarball. Tests that need the
 * package (test/sdk-package, the README's SDK example) share one tarball per state of the SDK's
 * sources: it is kept in node_modules/.cache named by the hash of what goes into it, so the next
 * test file, process or parallel worker reuses it, and a lock keeps two workers from building
 * sdk/dist at the same time.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const SDK = path.join(ROOT, "sdk");
const CACHE = path.join(ROOT, "node_modules", ".cache", "certchain-sdk-tarball");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// npm settings that say how to reach the registry, kept; every other npm_* variable comes from
// this repository's npm run (its .npmrc's node-options, its local prefix, the package's fields).
const REGISTRY_SETTINGS = /^npm_config_(registry|cafile|ca|cert|key|strict_ssl|proxy|https_proxy|noproxy|cache|userconfig|globalconfig)$/;

/**
 * The environment a department's shell would have: none of this repository's npm or ts-node
 * settings (its NODE_OPTIONS would make Node look for the SDK's TypeScript sources).
 */
export function outsideEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const ours = key === "NODE_OPTIONS" || key === "INIT_CWD" || key.startsWith("TS_NODE_") || key.startsWith("CERTCHAIN_") || (key.startsWith("npm_") && !REGISTRY_SETTINGS.test(key));
    if (!ours) env[key] = value;
  }
  return env;
}

/** A command in `cwd` with {@link outsideEnv}, to its end (killed after `timeoutMs`). */
export function runOutside(command: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: outsideEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** {@link runOutside}, failing with its output unless it exits 0; its stdout. */
export async function mustRunOutside(command: string, args: string[], cwd: string, timeoutMs?: number): Promise<string> {
  const result = await runOutside(command, args, cwd, timeoutMs);
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} (in ${cwd}) exited with ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** What `npm pack --json` says of the tarball. */
export interface PackedSdk {
  /** The tarball's absolute path. */
  tarball: string;
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

/** The files the package is built from (its sources, metadata, build script and README), not its outputs. */
function sourcesOf(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !["dist", "docs", "node_modules"].includes(name) && !name.endsWith(".tgz"))
    .flatMap((name) => {
      const file = path.join(dir, name);
      return statSync(file).isDirectory() ? sourcesOf(file) : [file];
    })
    .sort();
}

function sourceHash(): string {
  const hash = createHash("sha256");
  for (const file of sourcesOf(SDK)) hash.update(path.relative(SDK, file)).update("\0").update(readFileSync(file)).update("\0");
  // The build runs tsc and esbuild from the repository: their versions are inputs too.
  for (const tool of ["typescript", "esbuild"]) hash.update(readFileSync(path.join(ROOT, "node_modules", tool, "package.json")));
  return hash.digest("hex").slice(0, 24);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Tarballs of earlier sources, an hour after they were made (a worker of this run may still be reading one). */
function removeOldTarballs(current: string): void {
  for (const name of readdirSync(CACHE)) {
    const entry = path.join(CACHE, name);
    if (name === current || name.endsWith(".lock")) continue;
    if (Date.now() - statSync(entry).mtimeMs > 3_600_000) rmSync(entry, { recursive: true, force: true });
  }
}

let packing: Promise<PackedSdk> | undefined;

/**
 * `npm pack -w sdk`, once per state of the SDK's sources (see above). Another process packing the
 * same sources is waited for; a lock older than five minutes is taken to be abandoned.
 */
export function packedSdk(): Promise<PackedSdk> {
  packing ??= (async () => {
    const hash = sourceHash();
    const dir = path.join(CACHE, hash);
    const manifest = path.join(dir, "pack.json");
    const lock = path.join(CACHE, `${hash}.lock`);
    mkdirSync(CACHE, { recursive: true });
    for (;;) {
      if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, "utf8")) as PackedSdk;
      try {
        mkdirSync(lock);
      } catch {
        if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
        await sleep(500);
        continue;
      }
      try {
        const staging = mkdtempSync(path.join(CACHE, "packing-"));
        const json = await mustRunOutside("npm", ["pack", "-w", "sdk", "--pack-destination", staging, "--json"], ROOT);
        const [packed] = JSON.parse(json.slice(json.indexOf("["))) as Omit<PackedSdk, "tarball">[];
        rmSync(dir, { recursive: true, force: true });
        renameSync(staging, dir);
        const result: PackedSdk = { ...packed, tarball: path.join(dir, packed.filename) };
        writeFileSync(manifest, JSON.stringify(result));
        removeOldTarballs(hash);
        return result;
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    }
  })();
  packing.catch(() => (packing = undefined));
  return packing;
}

/** The version of a package this repository has installed (so npm can take it from its cache). */
export const installedVersion = (name: string): string => (JSON.parse(readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;

/**
 * A new project of a department's own, outside this repository (`npm init -y` in a temporary
 * directory), with the packed SDK installed and `devDependencies` (exact specs, `name@version`)
 * beside it, from npm's cache where it has them. The caller removes the directory.
 */
export async function sdkProject(name: string, devDependencies: string[] = []): Promise<{ dir: string; packed: PackedSdk }> {
  const dir = mkdtempSync(path.join(tmpdir(), `certchain-${name}-`));
  try {
    const [packed] = await Promise.all([packedSdk(), mustRunOutside("npm", ["init", "-y"], dir)]);
    // The devDependencies go into package.json as `npm install --save-dev` would write them, so that
    // one `npm install` of the tarball installs everything (a second npm run costs seconds of CPU).
    if (devDependencies.length > 0) {
      const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { devDependencies?: Record<string, string> };
      manifest.devDependencies = Object.fromEntries(devDependencies.map((spec) => /^(@?[^@]+)@(.+)$/.exec(spec)!.slice(1)));
      writeFileSync(path.join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    }
    await mustRunOutside("npm", ["install", packed.tarball, "--prefer-offline", "--no-audit", "--no-fund"], dir);
    return { dir, packed };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
