// Builds @certchain/sdk into dist/ (git-ignored; `npm run build -w sdk`, and `prepack`, so a
// packed tarball always holds a fresh build):
//   index.mjs, index.cjs          ES module and CommonJS, dependencies left as imports
//   types/**.d.ts, index.d.mts    declarations from tsc (the .d.mts gives ESM importers ESM types)
//   certchain-sdk.browser.min.mjs one minified ES module with every dependency inside, for pages
//                                 that load it without a bundler
// In this repository nothing needs dist/: Node, ts-node, esbuild and tsc read the sources.
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const SDK = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const DIST = path.join(SDK, "dist");
const ENTRY = path.join(SDK, "index.ts");
const require = createRequire(import.meta.url);

rmSync(DIST, { recursive: true, force: true });

const library = { entryPoints: [ENTRY], bundle: true, packages: "external", target: "es2022", legalComments: "inline", logLevel: "warning" };
await Promise.all([
  build({ ...library, platform: "neutral", format: "esm", outfile: path.join(DIST, "index.mjs") }),
  build({ ...library, platform: "node", format: "cjs", outfile: path.join(DIST, "index.cjs") }),
  build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: "browser",
    format: "esm",
    // As the service's own pages (server/web/build.ts).
    target: "es2020",
    minify: true,
    legalComments: "eof",
    define: { "process.env.NODE_ENV": '"production"' },
    outfile: path.join(DIST, "certchain-sdk.browser.min.mjs"),
    logLevel: "warning",
  }),
]);

execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(SDK, "tsconfig.build.json")], { stdio: "inherit" });
// The package has no "type": "module", so types/*.d.ts describe CommonJS; importers get an ESM
// declaration file that re-exports them.
writeFileSync(path.join(DIST, "index.d.mts"), 'export * from "./types/index.js";\n');
