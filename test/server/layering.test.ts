import { expect } from "chai";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/**
 * The layering rule of docs/architecture.md, checked on the code: a server module imports only
 * from its own folder and from folders of a lower rank; nothing in sdk/, display/ or server/
 * imports scripts/, and sdk/ and display/ import nothing of server/. Imports are read from the source text (static
 * `import … from` and `export … from`, type-only ones too).
 */
const RANKS: Record<string, number> = {
  "server/domain": 0,
  "server/errors.ts": 0,
  "server/lib": 1,
  "server/config.ts": 1,
  "server/schemas.ts": 1,
  "server/status-list": 1,
  "server/web": 1,
  "server/store": 2,
  "server/chain": 2,
  "server/keys": 3,
  "server/auth": 3,
  "server/anchoring": 4,
  "server/consent": 4,
  "server/service": 5,
  "server/plugins": 6,
  "server/routes": 7,
  "server/http-app.ts": 7,
  "server/app.ts": 8,
  "server/verifier": 8,
  "server/issuing-node.ts": 9,
};

const ROOT = path.join(__dirname, "..", "..");

function sourcesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = path.posix.join(dir, name);
    if (name === "node_modules" || name === "dist" || name === "docs") return [];
    if (statSync(path.join(ROOT, rel)).isDirectory()) return sourcesUnder(rel);
    return /\.ts$/.test(name) && !name.endsWith(".d.ts") ? [rel] : [];
  });
}

/** The repository paths a file imports by relative path (without extension). */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.{1,2}\/[^"]+)"/gms)].map((m) => m[1]);
  return specifiers.map((specifier) => path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)));
}

/** The layer (a key of RANKS) a repository path belongs to. */
function layerOf(target: string): string | undefined {
  const parts = target.split("/");
  const candidates = [parts.slice(0, 2).join("/"), `${parts.slice(0, 2).join("/")}.ts`];
  return candidates.find((candidate) => RANKS[candidate] !== undefined);
}

describe("layering: imports run down the server's layers (docs/architecture.md)", function () {
  it("gives every server file a rank", function () {
    const unranked = sourcesUnder("server").filter((file) => layerOf(file) === undefined);
    expect(unranked, "add the file's folder to RANKS here and to the table in docs/architecture.md").to.deep.equal([]);
  });

  it("no server module imports a layer of its own rank or above (other than its own folder)", function () {
    const upward: string[] = [];
    for (const file of sourcesUnder("server")) {
      const from = layerOf(file)!;
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (to === undefined || to === from) continue;
        if (RANKS[to] >= RANKS[from]) upward.push(`${file} -> ${target} (${from} ${RANKS[from]} -> ${to} ${RANKS[to]})`);
      }
    }
    expect(upward).to.deep.equal([]);
  });

  it("sdk/ and display/ import nothing of server/ or scripts/; server/ imports nothing of scripts/", function () {
    const wrong = [...sourcesUnder("sdk"), ...sourcesUnder("display"), ...sourcesUnder("server")].flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith("scripts/") || (!file.startsWith("server/") && target.startsWith("server/")))
        .map((target) => `${file} -> ${target}`),
    );
    expect(wrong).to.deep.equal([]);
  });

  it("reads the imports it judges (a known downward import is found)", function () {
    expect(importsOf("server/app.ts")).to.include("server/service/issuing-service");
    expect(importsOf("server/store/certificate-store.ts")).to.include("server/domain/certificate");
  });
});
