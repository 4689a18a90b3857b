#!/usr/bin/env node
// Launcher of the certchain CLI (package.json "bin"): runs scripts/cli/main.ts through ts-node,
// type-checking skipped (the CLI starts in about a second instead of ten).
"use strict";
const path = require("node:path");

const root = path.join(__dirname, "..", "..");
require("ts-node").register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });

require("./main.ts")
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error) => {
    process.stderr.write(`certchain: ${error && error.message ? error.message : String(error)}\n`);
    process.exitCode = 70;
  });
