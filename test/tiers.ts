import path from "node:path";

/**
 * Which test files a run takes, and in which order (hardhat.config.ts asks this file).
 *
 *   npm test             every *.test.ts under test/, in parallel (mocha's workers, TEST_JOBS, one per core and at least 2 by default)
 *   npm run test:unit    the unit tier: the folders below, each test in this process or a few
 *                        small ones (the in-process Hardhat network, a Hardhat node at most, fastify's
 *                        inject): no service process, no browser, no CLI run. For the inner loop.
 *   npx hardhat test <file>…   those files only, in one process
 */
export const UNIT_FOLDERS = ["contracts", "sdk", "display", "server", "support"] as const;

/** In those folders, but each starts Hardhat nodes or Node processes of its own: not in the unit tier. */
export const NOT_UNIT = [
  "server/verifier/verifier-app", // three regions, each a Hardhat node
  "server/chain-replay", // Hardhat nodes, replayed onto
  "server/rpc-proxy", // a Hardhat node behind the proxy
  "server/heap-growth", // Node processes churning memory
  "sdk/vectors", // the frozen vectors against a Hardhat node
  "sdk/vectors-v2",
  "support/tools", // mocha in child processes
];

/**
 * The slowest files first (wall time, measured with TEST_FILE_TIMES=1), so that a worker never
 * starts one of them when the others are nearly done: each is a story of service processes,
 * Hardhat nodes, Chromium or CLI runs. The rest follow by folder, heaviest folders first.
 */
const SLOWEST = [
  "e2e/durable-dev-chain",
  "e2e/fault-loop",
  "readme/readme",
  "browser/journeys",
  "e2e/external-chain-reset",
  "e2e/service-lifecycle",
  "cli/verify",
  "cli/paper",
  "cli/commands",
  "cli/issue",
  "e2e/standard-verifier",
  "e2e/verifier-service",
  "sdk-package/tarball",
  "cli/clerk",
  "cli/notarise",
  "browser/paper",
  "sdk/merkle",
  "browser/share-flow",
  "e2e/mutual-recognition",
  "server/verifier/verifier-app",
  "sdk/verify-fuzz",
  "server/heap-growth",
  "server/chain-replay",
  "sdk/share",
  "sdk/certificate-number",
  "sdk/validate-claims",
  "server/issuing-service",
  "server/batcher-recovery",
  "sdk/signature-pool",
  "sdk/public-api",
];
const FOLDERS = ["e2e", "readme", "cli", "browser", "sdk-package", "server", "sdk", "display", "contracts", "support"];

const TEST_DIR = __dirname;
const nameOf = (file: string) => path.relative(TEST_DIR, file).replace(/\.test\.[jt]s$/, "");

/** Whether a file is a test file (helpers and fixtures beside them are loaded by the tests that import them). */
export const isTestFile = (file: string) => /\.test\.[jt]s$/.test(file);

/** The test files of `tier` ("all" or "unit"), slowest first. */
export function testFilesOf(files: readonly string[], tier: string): string[] {
  if (tier !== "all" && tier !== "unit") throw new Error(`TEST_TIER is "all" or "unit", not "${tier}"`);
  const rank = (file: string) => {
    const name = nameOf(file);
    const slow = SLOWEST.indexOf(name);
    if (slow >= 0) return slow;
    const folder = FOLDERS.indexOf(name.split("/")[0]);
    return SLOWEST.length + (folder >= 0 ? folder : FOLDERS.length);
  };
  return files
    .filter(isTestFile)
    .filter((file) => tier === "all" || ((UNIT_FOLDERS as readonly string[]).includes(nameOf(file).split("/")[0]) && !NOT_UNIT.includes(nameOf(file))))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
