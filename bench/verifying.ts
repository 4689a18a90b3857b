import { spawn } from "node:child_process";
import { build } from "esbuild";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Envelope, Hex } from "@certchain/sdk";
import type { VerifyProcessResult } from "./verify-process";

export interface VerifyingResult {
  /** verifyMany over every envelope, in a process of its own (the envelopes already parsed, in an array). */
  many: VerifyProcessResult;
  /** verifyEach streaming the same envelopes from an NDJSON file (reading and parsing timed too). */
  each: VerifyProcessResult;
  /** Why not every certificate came back valid (the run then fails at its end, after the other figures). */
  failures: string[];
}

const ROOT = path.join(__dirname, "..");

async function writeNdjson(file: string, envelopes: readonly Envelope[]): Promise<void> {
  const out = createWriteStream(file);
  for (const envelope of envelopes) {
    if (!out.write(`${JSON.stringify(envelope)}\n`)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/**
 * The verifier process as one plain JS file, as an application ships the SDK: run under ts-node
 * it also held the TypeScript compiler (about 140 MiB of its peak RSS), which is no part of a
 * verifier. Not minified, so CPU profiles name the sources' functions (esbuild's keepNames would
 * add a call per closure created, which the sources do not make).
 */
async function bundleVerifier(dir: string): Promise<string> {
  const outfile = path.join(dir, "verify-process.cjs");
  await build({
    entryPoints: [path.join(__dirname, "verify-process.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    // The SDK from its sources, as everywhere in this repository.
    conditions: ["certchain-source"],
    tsconfig: path.join(ROOT, "tsconfig.json"),
    outfile,
    logLevel: "warning",
  });
  return outfile;
}

function runVerifyProcess(mode: "many" | "each", script: string, file: string, registry: object): Promise<VerifyProcessResult> {
  return new Promise((resolve, reject) => {
    // BENCH_VERIFY_CPU_PROF=<dir>: the verifier processes' V8 CPU profiles (bench/cpu-profile-summary.ts).
    const profileDir = process.env.BENCH_VERIFY_CPU_PROF;
    const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(profileDir)}`, `--cpu-prof-name=verify-${mode}.cpuprofile`] : [];
    // NODE_OPTIONS of npm (the certchain-source condition) is not needed by the bundle.
    const { NODE_OPTIONS: _unused, ...env } = process.env;
    const child = spawn(process.execPath, [...profile, script, mode, file, JSON.stringify(registry)], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`verify process (${mode}) exited with ${code}: ${stderr.slice(-2000)}`));
      resolve(JSON.parse(stdout.trim().split("\n").pop()!) as VerifyProcessResult);
    });
  });
}

function failureOf(mode: string, result: VerifyProcessResult, n: number): string[] {
  if (result.total !== n) return [`${mode}: ${result.total} results for ${n} envelopes`];
  if (result.valid === n) return [];
  const reasons = Object.entries(result.failures).map(([reason, count]) => `    ${count.toLocaleString("en-US")} × ${reason}`).join("\n");
  return [`${mode}: only ${result.valid.toLocaleString("en-US")} of ${n.toLocaleString("en-US")} certificates are valid; expected all:\n${reasons}`];
}

/**
 * Times verification of every envelope in a verifier process of its own (so its peak memory is
 * its own): once with verifyMany over an array, once streamed from a file through verifyEach.
 * Every certificate must come back valid.
 */
export async function runVerifyMany(options: { envelopes: readonly Envelope[]; registry: { chainId: number; address: Hex; rpcUrl: string } }): Promise<VerifyingResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "certchain-bench-verify-"));
  try {
    const file = path.join(dir, "envelopes.ndjson");
    await writeNdjson(file, options.envelopes);
    const script = await bundleVerifier(dir);
    const many = await runVerifyProcess("many", script, file, options.registry);
    const each = await runVerifyProcess("each", script, file, options.registry);
    return { many, each, failures: [...failureOf("verifyMany", many, options.envelopes.length), ...failureOf("verifyEach", each, options.envelopes.length)] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
