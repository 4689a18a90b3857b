import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import ts from "typescript";
import { DOCUMENT_CODES, SHARE_CODES, VERIFY_CODES } from "@certchain/sdk";
import { reasonText, REASON_TEXTS, SHARE_FAILURES } from "../../display/verdict-texts";

// display/ is what the pages (bundled for browsers) and the CLI (Node) both show: it must load in
// either, so it reaches for neither the DOM nor Node, and imports nothing from the server or scripts.
const DISPLAY = path.join(__dirname, "..", "..", "display");
const ALLOWED_IMPORTS = /^(@certchain\/sdk|qrcode|\.\/[a-z-]+)$/;
const HOST_GLOBALS = new Set(["document", "window", "location", "navigator", "localStorage", "sessionStorage", "process", "Buffer", "require", "__dirname"]);

describe("display: texts and printout shared by the pages and the CLI", () => {
  const files = readdirSync(DISPLAY).filter((name) => name.endsWith(".ts"));

  it("imports only the SDK, qrcode and its own files, and touches no browser or Node global", () => {
    expect(files).to.include.members(["verdict-texts.ts", "printout.ts", "paper-qr.ts", "claim-labels.ts"]);
    const problems: string[] = [];
    for (const name of files) {
      const source = ts.createSourceFile(name, readFileSync(path.join(DISPLAY, name), "utf8"), ts.ScriptTarget.ES2022, true);
      const visit = (node: ts.Node): void => {
        if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && !ALLOWED_IMPORTS.test(node.moduleSpecifier.text)) problems.push(`${name} imports ${node.moduleSpecifier.text}`);
        // A bare identifier that is not a member name (`x.location` is fine, `location` is not).
        if (ts.isIdentifier(node) && HOST_GLOBALS.has(node.text) && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) && !ts.isPropertyAssignment(node.parent)) {
          problems.push(`${name}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} uses ${node.text}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(problems).to.deep.equal([]);
  });

  it("has plain words in both languages for every verification and share-link code, and none for other codes", () => {
    expect(Object.keys(REASON_TEXTS).sort()).to.deep.equal(Object.keys(VERIFY_CODES).sort());
    expect(Object.keys(SHARE_FAILURES).sort()).to.deep.equal(Object.keys(SHARE_CODES).sort());
    for (const code of [...Object.keys(VERIFY_CODES), ...Object.keys(SHARE_CODES)]) {
      const words = reasonText(code);
      expect(words?.["zh-CN"], code).to.match(/[\u4e00-\u9fff]/);
      expect(words?.en, code).to.match(/^[A-Z]/);
    }
    expect(reasonText("SHARE_NOT_FOUND")).to.equal(SHARE_FAILURES.SHARE_NOT_FOUND.text);
    // The caller shows the result's own message for these.
    for (const code of [...Object.keys(DOCUMENT_CODES), "constructor", "__proto__", ""]) expect(reasonText(code), code).to.equal(undefined);
  });
});
