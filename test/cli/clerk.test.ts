import { expect } from "chai";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { findTypeById, verifyMany, type Envelope } from "@certchain/sdk";
import { csvLine } from "../../scripts/cli/csv";
import { ERRORS_FILE, STATE_FILE } from "../../scripts/cli/issue";
import { cliBundle } from "../support/bundles";
import { requireTools } from "../support/tools";
import { removeTestFolder, runCli, sharedCliEnvironment, testFolder, type CliEnvironment } from "./support";

const ZH = { LANG: "zh_CN.UTF-8" };
const licence = findTypeById("business-licence")!;

/** A business-licence row in the order of the template's columns, with a few cells changed. */
function row(i: number, change: Record<number, string> = {}): string[] {
  const example = licence.schema.examples[0] as Record<string, string>;
  const cells = Object.keys(licence.claims).map((name) => example[name]);
  cells[0] = `上海青禾数字科技第${i}分公司`;
  cells[1] = `91310115MA${String(i).padStart(6, "0")}3R`;
  for (const [at, value] of Object.entries(change)) cells[Number(at)] = value;
  return cells;
}

describe("cli: a clerk's day (Chinese first, plain words, waits for the chain)", function () {
  this.timeout(600_000);
  let env: CliEnvironment;
  let dir: string;

  before(async function () {
    env = await sharedCliEnvironment(this);
    dir = testFolder("clerk");
  });
  after(() => removeTestFolder(dir));

  it("certchain types lists the types; types show prints the columns, their rules in plain words and an example; --template writes the CSV", async function () {
    const list = await runCli(["types"], { env: ZH });
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stdout.split("\n")[0]).to.match(/^名称\s+标识\s+列数$/);
    expect(list.stdout).to.match(/营业执照\s+business-licence/).and.match(/结婚证\s+marriage-certificate/);

    const show = await runCli(["types", "show", "business-licence"], { env: ZH });
    expect(show.code, show.stderr).to.equal(0);
    expect(show.stdout).to.match(/^名称\s+company_name\s+是\s+文字，不超过 128 个字$/m);
    expect(show.stdout).to.match(/^统一社会信用代码\s+unified_social_credit_code\s+是\s+18 位统一社会信用代码/m);
    expect(show.stdout).to.match(/^成立日期\s+date_of_establishment\s+是\s+日期，写作 年-月-日，如 2018-06-21$/m);
    expect(show.stdout).to.match(/^营业期限至\s+business_term_end\s+否\s+日期.*；或“长期”$/m);
    expect(show.stdout).to.include("名称,统一社会信用代码,类型,法定代表人").and.include("上海青禾数字科技有限公司,91310115MA1H7Q2K3R");
    expect(show.stdout).to.not.match(/must match|\^\[0-9A-HJ/);

    const english = await runCli(["types", "show", "business-licence", "--lang", "en"], { env: ZH });
    expect(english.stdout).to.match(/^Company name\s+company_name\s+yes\s+text, at most 128 characters$/m);

    const template = path.join(dir, "营业执照.csv");
    const written = await runCli(["types", "show", "business-licence", "--template", template], { env: ZH });
    expect(written.code, written.stderr).to.equal(0);
    expect(written.stdout).to.include("已写出模板");
    const text = readFileSync(template, "utf8");
    expect(text.startsWith("\ufeff名称,统一社会信用代码,")).to.equal(true);
    expect(text.trim().split("\r\n")).to.have.length(2);
    const again = await runCli(["types", "show", "business-licence", "--template", template], { env: ZH });
    expect(again.code).to.equal(2);
    expect(again.stderr).to.include("已存在");
  });

  it("issues from a CSV with Chinese headers, waits for the anchors with progress, and explains bad rows by row, column and plain reason", async function () {
    const header = Object.values(licence.claims).map((label) => label["zh-CN"]);
    const csv = path.join(dir, "本月营业执照.csv");
    const rows = [row(1), row(2, { 5: "2018-13-01" }), row(3), row(4, { 1: "91310115MA00001I3R" }), row(5, { 3: "" })];
    writeFileSync(csv, `\ufeff${[csvLine(header), ...rows.map(csvLine)].join("\r\n")}\r\n`);
    const out = path.join(dir, "clerk-out");
    const run = await runCli(["issue", "--type", "business-licence", "--csv", csv, "--out", out, "--demo", env.demoFile], { env: ZH });
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stdout).to.match(/已签发\s+2/).and.match(/失败\s+3\s+第 3、5、6 行/).and.match(/已上链\s+2/);
    expect(run.stdout).to.include("有问题的行见");
    // Progress while it worked: issuing, then waiting for the chain (plain lines: not a terminal).
    expect(run.stderr).to.match(/签发中 2\/2/).and.match(/上链中 2\/2/);

    const errors = readFileSync(path.join(out, ERRORS_FILE), "utf8").replace(/^\ufeff/, "").trim().split("\r\n");
    expect(errors[0]).to.equal("行号,列,原因,错误代码,字段");
    expect(errors[1]).to.match(/^3,成立日期,“2018-13-01” 不符合要求，应填：日期，写作 年-月-日，如 2018-06-21,CLAIMS_INVALID,date_of_establishment$/);
    expect(errors[2]).to.match(/^5,统一社会信用代码,“91310115MA00001I3R” 不符合要求，应填：18 位统一社会信用代码/);
    expect(errors[3]).to.match(/^6,法定代表人,必填：此列缺失或此格为空,CLAIMS_INVALID,legal_representative$/);
    expect(errors.join("\n")).to.not.match(/must|format "date"|pattern/);

    // It waited: every envelope written is anchored and verifies.
    const envelopes = readdirSync(out).filter((f) => /^\d+-.+\.json$/.test(f)).map((f) => JSON.parse(readFileSync(path.join(out, f), "utf8")) as Envelope);
    expect(envelopes.map((e) => e.anchor.status)).to.deep.equal(["anchored", "anchored"]);
    expect((await verifyMany(envelopes, { registries: [env.registry] })).map((r) => r.verdict)).to.deep.equal(["valid", "valid"]);

    // --no-wait: pending files at once, and the summary says so.
    const quick = path.join(dir, "quick.csv");
    writeFileSync(quick, `${csvLine(header)}\n${csvLine(row(9))}\n`);
    const noWait = await runCli(["issue", "--type", "business-licence", "--csv", quick, "--out", path.join(dir, "quick-out"), "--demo", env.demoFile, "--no-wait"], { env: ZH });
    expect(noWait.code, noWait.stderr).to.equal(0);
    expect(noWait.stdout).to.match(/待上链\s+1/);
    expect(noWait.stderr).to.not.include("上链中");
  });

  it("inside the repository the demo file of `npm start` is found by itself: ./data/demo.json from any folder below, or $DATA_DIR/demo.json", async function () {
    const clone = path.join(dir, "clone");
    mkdirSync(path.join(clone, "data"), { recursive: true });
    mkdirSync(path.join(clone, "docs", "deep"), { recursive: true });
    writeFileSync(path.join(clone, "package.json"), JSON.stringify({ name: "certchain" }));
    copyFileSync(env.demoFile, path.join(clone, "data", "demo.json"));
    const fromBelow = await runCli(["agency", "list"], { cwd: path.join(clone, "docs", "deep"), env: ZH });
    expect(fromBelow.code, fromBelow.stderr).to.equal(0);
    expect(fromBelow.stdout).to.include("sh-notary");
    expect(fromBelow.stderr).to.include("使用").and.include("demo.json");
    const viaDataDir = await runCli(["agency", "list"], { env: { ...ZH, DATA_DIR: path.join(clone, "data") } });
    expect(viaDataDir.code, viaDataDir.stderr).to.equal(0);
    // Outside any repository, nothing is guessed.
    const outside = await runCli(["agency", "list"], { cwd: dir, env: ZH });
    expect(outside.code).to.equal(2);
    expect(outside.stderr).to.include("不知道服务地址");
  });

  it("messages follow --lang, else CERTCHAIN_LANG, else the locale (LC_ALL over LANG); Chinese when the locale names neither", async function () {
    // An unknown command is answered before any command loads: a quick way to read the language.
    const unknown = ["frobnicate"];
    expect((await runCli(unknown, { env: ZH })).stderr).to.include("没有命令");
    expect((await runCli(unknown, { env: { LANG: "zh_CN.UTF-8", LC_ALL: "en_GB.UTF-8" } })).stderr).to.include("unknown command");
    expect((await runCli(unknown, { env: { LANG: "en_US.UTF-8", CERTCHAIN_LANG: "zh-CN" } })).stderr).to.include("没有命令");
    expect((await runCli([...unknown, "--lang", "en"], { env: ZH })).stderr).to.include("unknown command");
    expect((await runCli(unknown, { env: { LANG: "C.UTF-8" } })).stderr).to.include("没有命令");
    // And a command's own messages.
    expect((await runCli(["issue", "--csv", "x.csv"], { env: ZH })).stderr).to.include("缺少 --type");
    const help = await runCli(["--help"], { env: ZH });
    expect(help.stdout).to.include("用法：certchain <命令>").and.include("批量签发证照");
    const bad = await runCli(["types", "--lang", "fr"]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include("zh-CN or en");
  });

  it("the verify table keeps the file name whole and shows why a certificate was revoked", async function () {
    const response = await fetch(`${env.apiUrl}/v1/certificates`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.tokens["sh-amr"]}`, "content-type": "application/json", prefer: "wait=30" },
      body: JSON.stringify({ type: "business-licence", claims: licence.schema.examples[0] }),
    });
    const issued = (await response.json()) as { id: string; envelope: Envelope };
    expect(issued.envelope.anchor.status).to.equal("anchored");
    const revoke = await runCli(["revoke", issued.id, "--reason", "issued_in_error", "--demo", env.demoFile, "--agency", "sh-amr"], { env: ZH });
    expect(revoke.code, revoke.stderr).to.equal(0);
    expect(revoke.stdout).to.include("已撤销").and.include("错误签发");
    const file = path.join(dir, "上海青禾数字科技有限公司-营业执照-2024年度年检材料-第三批次-副本.json");
    writeFileSync(file, JSON.stringify(issued.envelope));
    const run = await runCli(["verify", file, "--demo", env.demoFile], { env: ZH });
    expect(run.code).to.equal(1);
    expect(run.stdout).to.include(file);
    const line = run.stdout.split("\n").find((l) => l.startsWith(file))!;
    expect(line).to.match(/已撤销\s+营业执照/).and.include("发证机关已撤销此证照").and.include("撤销原因：错误签发");
  });

  it("Ctrl-C in the middle of a run restores the terminal: cursor shown, line wrap back on (in a real pseudo-terminal)", async function () {
    requireTools(this, "script");
    const header = Object.values(licence.claims).map((label) => label["zh-CN"]);
    const csv = path.join(dir, "big.csv");
    writeFileSync(csv, [csvLine(header), ...Array.from({ length: 6000 }, (_, i) => csvLine(row(20_000 + i)))].join("\n"));
    const out = path.join(dir, "big-out");
    const command = ["node", await cliBundle(), "issue", "--type", "business-licence", "--csv", csv, "--out", out, "--demo", env.demoFile].map((a) => `'${a}'`).join(" ");
    const child = spawn("script", ["-qfec", command, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, LANG: "zh_CN.UTF-8", TERM: "xterm" } });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const deadline = Date.now() + 120_000;
      // The bar is drawn: the cursor is hidden and wrapping is off.
      while (!(output.includes("\x1b[?25l") && output.includes("签发中"))) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no progress bar:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      child.stdin.write("\x03"); // what the terminal sends for Ctrl-C
      expect(await exited).to.equal(130);
    } finally {
      child.kill("SIGKILL");
    }
    const afterLast = (code: string) => output.slice(output.lastIndexOf(code));
    expect(afterLast("\x1b[?25l"), "cursor shown again").to.include("\x1b[?25h");
    expect(afterLast("\x1b[?7l"), "line wrap on again").to.include("\x1b[?7h");
    expect(output).to.include("已中断");
    expect(existsSync(path.join(out, STATE_FILE))).to.equal(true);
  });
});
