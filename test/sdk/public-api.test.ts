import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import ts from "typescript";

// What @certchain/sdk promises as a package: every public export documented (TypeDoc builds the
// API reference from these comments), and its sources importing nothing but the dependencies
// sdk/package.json declares (the packed-tarball test checks the same end to end, slowly).
const SDK = path.join(__dirname, "..", "..", "sdk");
const manifest = JSON.parse(readFileSync(path.join(SDK, "package.json"), "utf8")) as { dependencies: Record<string, string> };

describe("sdk: the @certchain/sdk package surface", function () {
  this.timeout(60_000);
  let program: ts.Program;

  before(() => {
    program = ts.createProgram([path.join(SDK, "index.ts")], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
      types: [],
      strict: true,
      noEmit: true,
      // As sdk/tsconfig.build.json (through the root tsconfig): the bundled type documents are JSON modules.
      resolveJsonModule: true,
      esModuleInterop: true,
    });
  });

  it("resolves @certchain/sdk to its TypeScript sources in this repository, never to a build in sdk/dist", () => {
    // sdk/dist exists after any `npm pack -w sdk`; without the "certchain-source" condition
    // (.npmrc) tests and the service would silently run a stale build.
    const hint = "run tests through npm (npm test, npx hardhat test): .npmrc gives Node --conditions=certchain-source";
    expect(require.resolve("@certchain/sdk"), hint).to.equal(path.join(SDK, "index.ts"));
    expect(require.resolve("@certchain/sdk/internal")).to.equal(path.join(SDK, "internal.ts"));
  });

  it("documents every export of sdk/index.ts with a doc comment", () => {
    const checker = program.getTypeChecker();
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(path.join(SDK, "index.ts"))!)!;
    const exports = checker.getExportsOfModule(moduleSymbol);
    expect(exports.length).to.be.greaterThan(80);
    const undocumented = exports
      .filter((symbol) => {
        const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
        return ts.displayPartsToString(target.getDocumentationComment(checker)).trim() === "";
      })
      .map((symbol) => symbol.name);
    expect(undocumented).to.deep.equal([]);
  });

  it("exports the one error type with its table of codes (a typed union)", () => {
    const checker = program.getTypeChecker();
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(path.join(SDK, "index.ts"))!)!;
    const names = checker.getExportsOfModule(moduleSymbol).map((symbol) => symbol.name);
    expect(names).to.include.members(["CertchainError", "isCertchainError", "CERTCHAIN_ERRORS", "CertchainErrorCode"]);
    const code = checker.getExportsOfModule(moduleSymbol).find((symbol) => symbol.name === "CertchainErrorCode")!;
    const union = checker.getDeclaredTypeOfSymbol(checker.getAliasedSymbol(code));
    expect(union.isUnion() && union.types.every((t) => t.isStringLiteral())).to.equal(true);
  });

  it("type-checks on its own, without Node's or mocha's types, as it is built for publishing", () => {
    const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(errors).to.deep.equal([]);
  });

  it("imports only the dependencies sdk/package.json declares, and no Node built-in", () => {
    const imported = new Set<string>();
    for (const file of program.getSourceFiles()) {
      if (!file.fileName.startsWith(SDK + path.sep) || file.fileName.includes(`${path.sep}node_modules${path.sep}`)) continue;
      for (const statement of file.statements) {
        if ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
          const specifier = statement.moduleSpecifier.text;
          if (specifier.startsWith(".")) continue;
          imported.add(specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]);
        }
      }
    }
    expect([...imported].sort()).to.deep.equal(Object.keys(manifest.dependencies).sort());
  });
});
