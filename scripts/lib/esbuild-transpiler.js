// ts-node's transpiler here (tsconfig.json "ts-node"), for every TypeScript this repository runs
// without a build: `npm start`, the CLI's bin.js, `hardhat test` and its workers, the benchmarks.
// ts-node's own transpile-only mode runs TypeScript's compiler on each file; esbuild (already a
// dependency: it bundles the web pages) does the same per-file job tens of times faster, and
// type-checking stays where it was, with `tsc --noEmit` (npm run typecheck). ts-node ships such an
// adapter for swc only; this one is ts-node's documented transpiler interface around
// esbuild.transformSync, so nothing new is installed.
"use strict";
const { transformSync } = require("esbuild");

/** @type {import("ts-node").TranspilerModule["create"]} */
exports.create = ({ service }) => {
  const { options } = service.config;
  // What changes the JavaScript esbuild writes, as tsconfig.json says it (ES2022 class fields,
  // esModuleInterop's default imports).
  const tsconfigRaw = {
    compilerOptions: {
      target: "ES2022",
      useDefineForClassFields: options.useDefineForClassFields,
      esModuleInterop: options.esModuleInterop,
      verbatimModuleSyntax: options.verbatimModuleSyntax,
    },
  };
  return {
    transpile(input, { fileName }) {
      const { code, map } = transformSync(input, {
        loader: /\.[cm]?tsx$/.test(fileName) ? "tsx" : /\.[cm]?ts$/.test(fileName) ? "ts" : "js",
        format: "cjs",
        platform: "node",
        target: "node20",
        sourcefile: fileName,
        sourcemap: "external",
        tsconfigRaw,
        // import() becomes require(), as TypeScript's CommonJS output has it: Node's own import()
        // would load the .ts file without ts-node.
        supported: { "dynamic-import": false },
      });
      return { outputText: code, sourceMapText: map };
    },
  };
};
