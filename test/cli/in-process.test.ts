import { expect } from "chai";
import { lang, setLang } from "../../scripts/cli/i18n";
import { runCli } from "./run-cli";

/**
 * The tests run the CLI in their own process (scripts/cli/run-context.ts): a run must take
 * nothing from the one before and leave nothing to the one after, or to the test.
 */
describe("cli: runs in process keep to themselves", function () {
  const ZH = { LANG: "zh_CN.UTF-8" };
  const EN = { LANG: "en_US.UTF-8" };

  it("a run's language is its own: neither the caller's nor the previous run's", async function () {
    setLang("en");
    try {
      const zh = await runCli(["frobnicate"], { env: ZH });
      expect(zh.stderr).to.include("没有命令");
      expect(lang(), "the caller's language").to.equal("en");
      setLang("zh-CN");
      const en = await runCli(["frobnicate"], { env: EN });
      expect(en.stderr).to.include("unknown command");
      expect(lang(), "the caller's language").to.equal("zh-CN");
    } finally {
      setLang("en");
    }
  });

  it("runs at the same time keep their own output and language", async function () {
    const runs = await Promise.all([ZH, EN, ZH, EN].map((env) => runCli(["frobnicate"], { env })));
    expect(runs.map((r) => [r.code, r.stderr.includes("没有命令"), r.stderr.includes("unknown command"), r.stderr.trim().split("\n").length])).to.deep.equal([
      [2, true, false, 1],
      [2, false, true, 1],
      [2, true, false, 1],
      [2, false, true, 1],
    ]);
  });

  it("leaves the process as it found it: no signal handler, exit code, environment or output of its own", async function () {
    const sigint = process.listenerCount("SIGINT");
    const exitCode = process.exitCode;
    const environment = JSON.stringify(process.env);
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stdout.write;
    let runs;
    try {
      runs = [await runCli(["--help"], { env: { CERTCHAIN_LANG: "en" } }), await runCli(["verify"]), await runCli(["frobnicate"])];
    } finally {
      process.stdout.write = write;
    }
    expect(runs.map((r) => r.code)).to.deep.equal([0, 2, 2]);
    expect(runs[0].stdout).to.match(/^Usage: certchain <command>/);
    expect(written, "nothing on the test's own stdout").to.deep.equal([]);
    expect(process.listenerCount("SIGINT")).to.equal(sigint);
    expect(process.exitCode).to.equal(exitCode);
    expect(JSON.stringify(process.env)).to.equal(environment);
  });
});
