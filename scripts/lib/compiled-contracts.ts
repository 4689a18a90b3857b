/**
 * `hardhat compile` before a start, only when the contracts may have changed: it loads Hardhat
 * (most of a second of CPU) even when there is nothing to compile. A stamp in artifacts/ records
 * what the artifacts were compiled from — every file under contracts/, hardhat.config.ts and the
 * versions of Hardhat, solc and OpenZeppelin's contracts — and a start whose sources hash the same
 * skips the compiler. Anything else (no stamp, `hardhat clean`, an edited contract) compiles as before.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../cli/files";

const ROOT = path.join(__dirname, "..", "..");
const stampIn = (root: string) => path.join(root, "artifacts", ".compiled-from");
const registryArtifactIn = (root: string) => path.join(root, "artifacts", "contracts", "CertchainRegistry.sol", "CertchainRegistry.json");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
    .sort();
}

const versionOf = (pkg: string) => (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`, { paths: [ROOT] }), "utf8")) as { version: string }).version;

/** sha256 of what the artifacts are compiled from (the contracts' paths and contents, the config, the tools' versions). */
export function contractSourcesHash(root = ROOT): string {
  const hash = createHash("sha256");
  for (const file of [...filesUnder(path.join(root, "contracts")), path.join(root, "hardhat.config.ts")]) {
    hash.update(`${path.relative(root, file)}\n`).update(readFileSync(file)).update("\n");
  }
  for (const pkg of ["hardhat", "solc", "@openzeppelin/contracts"]) hash.update(`${pkg}@${versionOf(pkg)}\n`);
  return hash.digest("hex");
}

/** Whether the artifacts on disk were compiled from the sources as they are now. */
export function artifactsAreCurrent(root = ROOT): boolean {
  const stamp = stampIn(root);
  return existsSync(registryArtifactIn(root)) && existsSync(stamp) && readFileSync(stamp, "utf8").trim() === contractSourcesHash(root);
}

/** Records that the artifacts in `root` were compiled from sources hashing to `sources`. */
export const stampArtifacts = (sources: string, root = ROOT) => writeFileAtomic(stampIn(root), `${sources}\n`);

/** Compiles the contracts unless the artifacts are current (`compiling` is called first when it does). */
export function compileContractsIfChanged(compiling: () => void): void {
  if (artifactsAreCurrent()) return;
  compiling();
  // Hashed before compiling: an edit made during the compile leaves a stamp that no longer matches.
  const sources = contractSourcesHash();
  execFileSync(process.execPath, [require.resolve("hardhat/internal/cli/cli", { paths: [ROOT] }), "compile", "--quiet"], { cwd: ROOT, stdio: "inherit" });
  stampArtifacts(sources);
}
