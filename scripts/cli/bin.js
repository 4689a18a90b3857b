#!/usr/bin/env node
// Launcher of the certchain CLI (package.json "bin"): runs scripts/cli/main.ts through ts-node,
// type-checking skipped (the CLI starts in about a second instead of ten).
"use strict";
const path = require("node:path");

// `@certchain/sdk` resolves to its TypeScript sources here only under the "certchain-source"
// condition, which .npmrc sets for npm scripts and npx. Started any other way (`node bin.js`, a
// linked `certchain` command), run again with the condition.
const CONDITION = "--conditions=certchain-source";
const seesSources = () => {
  try {
    require.resolve("@certchain/sdk/internal");
    return true;
  } catch {
    return false;
  }
};
if (!seesSources() && !process.execArgv.includes(CONDITION)) {
  // Ctrl-C reaches both processes; the child handles it (saves its state, restores the
  // terminal) and this one only passes on its exit status.
  process.on("SIGINT", () => undefined);
  const { status, signal } = require("node:child_process").spawnSync(process.execPath, [CONDITION, __filename, ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(status ?? (signal ? 128 + require("node:os").constants.signals[signal] : 1));
}

const root = path.join(__dirname, "..", "..");
require("ts-node").register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });

require("./main.ts").runAsProcess();
