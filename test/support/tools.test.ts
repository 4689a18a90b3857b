import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";

const ROOT = path.join(__dirname, "..", "..");

/**
 * A test that needs a tool, as the browser, paper and Java tests ask for theirs, run by mocha in
 * a process of its own with a PATH that lacks the tool: under CI=true it must fail, naming the
 * tool and how to install it; otherwise it is skipped, saying why.
 */
describe("tests that need a tool outside Node (test/support/tools.ts)", function () {
  this.timeout(60_000);
  let dir: string;
  let emptyDir: string;

  before(function () {
    dir = mkdtempSync(path.join(tmpdir(), "certchain-tools-"));
    emptyDir = mkdtempSync(path.join(tmpdir(), "certchain-empty-path-"));
    writeFileSync(
      path.join(dir, "needs-tools.test.js"),
      `const { requireTools } = require(${JSON.stringify(path.join(ROOT, "test", "support", "tools.ts"))});
describe("a browser test", function () {
  it("drives Chromium", function () { requireTools(this, "chromium"); });
  it("rasterises a PDF", function () { requireTools(this, "pdftoppm"); });
});
`,
    );
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(emptyDir, { recursive: true, force: true });
  });

  function runMocha(env: Record<string, string>) {
    const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== "CI" && key !== "PATH")) as Record<string, string>;
    const run = spawnSync(process.execPath, [require.resolve("mocha/bin/mocha.js"), "--require", "ts-node/register/transpile-only", path.join(dir, "needs-tools.test.js")], {
      cwd: dir,
      env: { ...base, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"), PATH: emptyDir, ...env },
      encoding: "utf8",
    });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  }

  it("with CI=true and no Chromium or pdftoppm on PATH, both tests fail, naming the tool and its package", function () {
    const { status, output } = runMocha({ CI: "true" });
    expect(status, output).to.equal(2); // mocha's exit status: the number of failures
    expect(output).to.include("2 failing").and.not.include("pending");
    expect(output).to.include("CI=true and this test needs Chromium, not found on PATH (apt-get install -y chromium-headless-shell)");
    expect(output).to.include("pdftoppm (rasterises printed PDFs), not found on PATH (apt-get install -y poppler-utils)");
  });

  it("without CI, the same tests are skipped (pending), and the reason is printed", function () {
    const { status, output } = runMocha({});
    expect(status, output).to.equal(0);
    expect(output).to.include("2 pending");
    expect(output).to.include("SKIPPED: a browser test drives Chromium needs Chromium, not found on PATH (apt-get install -y chromium-headless-shell)");
  });

  it("with the tools on PATH, under CI=true, the tests run", function () {
    const { status, output } = runMocha({ CI: "true", PATH: process.env.PATH ?? "" });
    // Where this machine lacks them the first test already failed; here it has them (.ci/run installs them).
    expect(status, output).to.equal(0);
    expect(output).to.include("2 passing");
  });
});
