import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import ts from "typescript";
import { CERTCHAIN_ERRORS, CertchainError, DOCUMENT_CODES, isCertchainError, KEY_PROOF_CODES, PRESENTATION_CODES, SHARE_CODES, VERIFY_CODES } from "@certchain/sdk";

// The SDK's error table is the whole list of codes it throws: read from its sources (every
// `new CertchainError(…)` and `super(…)` of a subclass, following a code passed through a local
// helper such as `fail(code, message)` to the string literals its callers give), not from types,
// so a cast or a build that skips the type check cannot hide a code missing from the table.
const SDK = path.join(__dirname, "..", "..", "sdk");
const NOT_SOURCES = new Set(["dist", "docs", "node_modules", "scripts"]);

function sourcesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return NOT_SOURCES.has(entry.name) ? [] : sourcesOf(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

interface Scan {
  /** Code → where it is thrown ("file:line"). */
  thrown: Map<string, string[]>;
  /** Codes asked for with isCertchainError(error, "CODE"). */
  asked: Map<string, string[]>;
  /** Throw sites whose code could not be traced to string literals. */
  untraced: string[];
}

const extendsCertchainError = (node: ts.ClassLikeDeclaration) =>
  node.heritageClauses?.some((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword && clause.types.some((t) => t.expression.getText() === "CertchainError")) ?? false;

function scanSdk(): Scan {
  const scan: Scan = { thrown: new Map(), asked: new Map(), untraced: [] };
  const add = (map: Map<string, string[]>, code: string, where: string) => map.set(code, [...(map.get(code) ?? []), where]);
  for (const file of sourcesOf(SDK)) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    const where = (node: ts.Node) => `${path.relative(SDK, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const calls: ts.CallExpression[] = [];
    const throwSites: ts.Expression[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) && node.expression.getText() === "CertchainError") throwSites.push(node.arguments?.[0] ?? node);
      if (ts.isCallExpression(node)) {
        calls.push(node);
        if (node.expression.kind === ts.SyntaxKind.SuperKeyword) {
          const owner = ts.findAncestor(node, ts.isClassLike);
          if (owner && extendsCertchainError(owner)) throwSites.push(node.arguments[0] ?? node);
        }
        if (node.expression.getText() === "isCertchainError" && node.arguments[1] && ts.isStringLiteral(node.arguments[1])) add(scan.asked, node.arguments[1].text, where(node));
      }
      ts.forEachChild(node, visit);
    };
    visit(source);

    // The string literals an expression can be; undefined when it cannot be traced.
    const literalsOf = (expression: ts.Expression, through: ReadonlySet<ts.Node>): string[] | undefined => {
      if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) return [expression.text];
      if (ts.isParenthesizedExpression(expression)) return literalsOf(expression.expression, through);
      if (ts.isConditionalExpression(expression)) {
        const [a, b] = [literalsOf(expression.whenTrue, through), literalsOf(expression.whenFalse, through)];
        return a && b ? [...a, ...b] : undefined;
      }
      // `error.code`: an error already thrown, thrown again with more words.
      if (ts.isPropertyAccessExpression(expression) && expression.name.text === "code") return [];
      if (!ts.isIdentifier(expression)) return undefined;
      // A parameter of a named local function: the literals its callers in this file pass.
      const fn = ts.findAncestor(expression, (node) => ts.isFunctionLike(node) && node.parameters.some((p) => p.name.getText() === expression.text)) as ts.SignatureDeclaration | undefined;
      if (!fn || through.has(fn)) return undefined;
      const index = fn.parameters.findIndex((p) => p.name.getText() === expression.text);
      const name = ts.isFunctionDeclaration(fn) ? fn.name?.text : fn.parent && ts.isVariableDeclaration(fn.parent) ? fn.parent.name.getText() : undefined;
      if (!name) return undefined;
      const callers = calls.filter((call) => ts.isIdentifier(call.expression) && call.expression.text === name);
      if (callers.length === 0) return undefined;
      const literals: string[] = [];
      for (const call of callers) {
        const traced = call.arguments[index] ? literalsOf(call.arguments[index], new Set([...through, fn])) : undefined;
        if (!traced) return undefined;
        literals.push(...traced);
      }
      return literals;
    };
    for (const site of throwSites) {
      const codes = literalsOf(site, new Set());
      if (codes) for (const code of codes) add(scan.thrown, code, where(site));
      else scan.untraced.push(where(site));
    }
  }
  return scan;
}

describe("sdk: the error-code table (CERTCHAIN_ERRORS)", () => {
  let scan: Scan;
  before(() => {
    scan = scanSdk();
  });

  it("traces the code of every CertchainError the SDK sources throw to string literals", () => {
    expect(scan.untraced).to.deep.equal([]);
    // The scan finds the helpers' codes too, not only literal `new CertchainError("…")`.
    expect(scan.thrown.get("INTEGRITY_DUPLICATE_DIGEST")?.[0]).to.match(/^credential\/disclosed-claims\.ts:/);
    expect(scan.thrown.get("PAPER_NOT_ENCODABLE")?.[0]).to.match(/^paper\/payload\.ts:/);
    expect(scan.thrown.get("CHAIN_RPC_ERROR")?.[0]).to.match(/^registry\/json-rpc\.ts:/);
  });

  it("lists exactly the codes the SDK throws: none missing, none that nothing throws", () => {
    expect(Object.keys(CERTCHAIN_ERRORS).sort()).to.deep.equal([...scan.thrown.keys()].sort());
  });

  it("lists every code the SDK's own sources ask isCertchainError about", () => {
    const unknown = [...scan.asked].filter(([code]) => !Object.hasOwn(CERTCHAIN_ERRORS, code)).map(([code, at]) => `${code} (${at.join(", ")})`);
    expect(unknown).to.deep.equal([]);
  });

  it("describes each code in one short sentence", () => {
    for (const [code, description] of Object.entries(CERTCHAIN_ERRORS)) {
      expect(code, code).to.match(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/);
      expect(description, code).to.match(/^[A-Z].{15,300}\.$/);
    }
  });

  it("gives a thrown verification or share code the message verify reports it with; every other code is distinct from the check codes", () => {
    // verify turns a thrown CertchainError whose code is a verification code into that check's
    // reason (sdk/verify/verify.ts): the same code must mean the same thing in both tables.
    const checkMessages = new Map<string, string>([
      ...Object.entries(VERIFY_CODES).map(([code, [, message]]) => [code, message] as [string, string]),
      ...Object.entries(SHARE_CODES),
      ...Object.entries(DOCUMENT_CODES),
      ...Object.entries(PRESENTATION_CODES).map(([code, [, message]]) => [code, message] as [string, string]),
    ]);
    const shared = Object.entries(CERTCHAIN_ERRORS).filter(([code]) => checkMessages.has(code));
    for (const [code, description] of shared) expect(description, code).to.equal(checkMessages.get(code));
    // The refusals of the SDK's own functions, which no verification result carries.
    expect(
      Object.keys(CERTCHAIN_ERRORS)
        .filter((code) => !checkMessages.has(code))
        .sort(),
    ).to.deep.equal([
      "CERT_NUMBER_PART_INVALID",
      "CERT_TYPE_INVALID",
      "CERT_TYPE_SCHEMA_INVALID",
      "CHAIN_RPC_ERROR",
      "CHECK_INPUT_INVALID",
      "CONSENT_RECEIPT_INPUT_INVALID",
      "CONSENT_RECEIPT_INVALID",
      "DCQL_QUERY_INVALID",
      "DCQL_SELECTION_INVALID",
      "DOCUMENT_INVALID",
      ...Object.keys(KEY_PROOF_CODES),
      "PAPER_NOT_ENCODABLE",
      "PRESENTATION_HOLDER_KEY_MISMATCH",
      "PRESENTATION_NOT_HOLDER_BOUND",
      "PRESENTATION_UNKNOWN_CLAIM",
      "TRUST_LIST_AMBIGUOUS",
      "TRUST_LIST_INVALID",
      "VCT_INVALID",
    ].sort());
  });

  it("does not compile a CertchainError with a code outside the table, unless another table is named", function () {
    this.timeout(60_000);
    // A virtual file beside the SDK's sources, type-checked with them.
    const file = path.join(SDK, "__error-code-check.ts");
    const text = [
      'import { CertchainError } from "./index";',
      'export const known = new CertchainError("VCT_INVALID", "m");',
      'export const unknown = new CertchainError("NOT_IN_THE_TABLE", "m");',
      'export const named = new CertchainError<"OF_ANOTHER_TABLE">("OF_ANOTHER_TABLE", "m");',
      'export const widened = (code: string) => new CertchainError(code, "m");',
    ].join("\n");
    const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, lib: ["lib.es2022.d.ts", "lib.dom.d.ts"], types: [], strict: true, noEmit: true, resolveJsonModule: true, esModuleInterop: true };
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = (name, language, ...rest) => (name === file ? ts.createSourceFile(name, text, language) : getSourceFile.call(host, name, language, ...rest));
    host.fileExists = (name) => name === file || fileExists.call(host, name);
    host.readFile = (name) => (name === file ? text : readFile.call(host, name));
    const program = ts.createProgram([file], options, host);
    const errors = ts
      .getPreEmitDiagnostics(program, program.getSourceFile(file))
      .map((d) => `${d.file!.getLineAndCharacterOfPosition(d.start!).line + 1}: TS${d.code}`);
    // Line 3 (a code not in the table) and line 5 (any string) are refused; 2 and 4 compile.
    expect(errors).to.deep.equal(["3: TS2345", "5: TS2345"]);
  });

  it("keeps the code on the error and tells CertchainErrors apart by code", () => {
    const error = new CertchainError("VCT_INVALID", "vct must be a string", { details: { given: 42 } });
    expect(error).to.be.instanceOf(Error);
    expect(error).to.include({ name: "CertchainError", code: "VCT_INVALID", message: "vct must be a string" });
    expect(error.details).to.deep.equal({ given: 42 });
    expect(isCertchainError(error)).to.equal(true);
    expect(isCertchainError(error, "VCT_INVALID")).to.equal(true);
    expect(isCertchainError(error, "CERT_TYPE_INVALID")).to.equal(false);
    expect(isCertchainError(Object.assign(new Error("x"), { code: "VCT_INVALID" }))).to.equal(false);
  });
});
