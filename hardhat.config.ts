import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, TASK_TEST_GET_TEST_FILES } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import { HDNodeWallet, Mnemonic } from "ethers";
import "@nomicfoundation/hardhat-ethers";
import "@nomicfoundation/hardhat-chai-matchers";
import { testFilesOf } from "./test/tiers";

const SOLC_VERSION = "0.8.28";

// This machine cannot download compilers: use the solc-js build shipped by the npm `solc` package.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD).setAction(async ({ solcVersion }: { solcVersion: string }, _hre, runSuper) => {
  if (solcVersion !== SOLC_VERSION) return runSuper();
  const solc = require("solc");
  return {
    compilerPath: path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js"),
    isSolcJs: true,
    version: solcVersion,
    longVersion: solc.version(),
  };
});

// `hardhat test` without files: the test files of TEST_TIER ("all", the default, or "unit"), slowest
// first (test/tiers.ts); helpers under test/ are loaded by the tests that import them.
subtask(TASK_TEST_GET_TEST_FILES).setAction(async (args: { testFiles: string[] }, _hre, runSuper) => {
  const files: string[] = await runSuper(args);
  return args.testFiles.length > 0 ? files : testFilesOf(files, process.env.TEST_TIER ?? "all");
});

// A restored dev chain must start no later than its first recorded block (server/chain/replay.ts).
const initialDate = process.env.CERTCHAIN_CHAIN_INITIAL_DATE;

/**
 * Hardhat's default accounts, the same 20 keys of its published mnemonic with the same 10,000 ETH,
 * derived here with ethers, whose PBKDF2 is Node's own: Hardhat derives them in pure JavaScript,
 * which was ~0.7 CPU-s of every `hardhat node` start and of every in-process network.
 */
function hardhatDefaultAccounts() {
  const mnemonic = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
  const parent = HDNodeWallet.fromMnemonic(mnemonic, "m/44'/60'/0'/0");
  return Array.from({ length: 20 }, (_, i) => ({ privateKey: parent.deriveChild(i).privateKey, balance: "10000000000000000000000" }));
}

/** The reporter, and (for --parallel) the workers' root hooks that time each file into a log it reads (after hardhat/register, which loads TypeScript). */
function fileTimes() {
  process.env.TEST_FILE_TIMES_LOG ??= path.join(tmpdir(), `certchain-file-times-${process.pid}.jsonl`);
  return { reporter: path.join(__dirname, "test", "support", "file-times-reporter.ts"), require: ["hardhat/register", path.join(__dirname, "test", "support", "file-times-hooks.ts")] };
}

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
  },
  networks: {
    hardhat: {
      chainId: 31337,
      accounts: hardhatDefaultAccounts(),
      ...(initialDate ? { initialDate } : {}),
    },
  },
  mocha: {
    timeout: 120_000,
    // Workers of `hardhat test --parallel` (npm test): one per core (at least 2) unless TEST_JOBS says.
    // Two per core would fill the third of a file's time spent waiting, but on 2 cores the tests that
    // bound latency (stall-attacks' p95) or race a reorganisation (e2e/reorgs) then fail now and then.
    jobs: Number(process.env.TEST_JOBS ?? Math.max(2, availableParallelism())),
    // TEST_FILE_TIMES=1: after the spec output, each test file's wall time, slowest first.
    ...(process.env.TEST_FILE_TIMES ? fileTimes() : {}),
  },
  paths: { tests: "./test" },
};

export default config;
