import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { csvLine } from "../../scripts/cli/csv";
import { STATE_FILE } from "../../scripts/cli/issue";
import { removeTestFolder, runCli, sharedCliEnvironment, testFolder, type CliEnvironment } from "./support";

// Issue 22, point 7: `certchain issue` checks its token before it does anything, and says what to
// correct (the token, where it came from), never "rerun the same command", which cannot fix it.

const HEADER = ["名称", "统一社会信用代码", "类型", "法定代表人", "注册资本", "成立日期", "营业期限至", "经营范围", "住所", "登记机关", "登记日期"];
const row = (i: number) => [`青禾数字科技第${i}分公司`, `91310115MA${String(700 + i).padStart(6, "0")}3R`, "有限责任公司", "陈嘉树", "人民币100万元整", "2018-06-21", "长期", "技术服务", "上海市浦东新区青禾路88号", "上海市浦东新区市场监督管理局", "2023-09-14"];

describe("cli: a wrong token is caught first, with advice that fits", function () {
  this.timeout(300_000);
  let env: CliEnvironment;
  let dir: string;
  let csv: string;

  before(async function () {
    env = await sharedCliEnvironment(this);
    dir = testFolder("token");
    csv = path.join(dir, "licences.csv");
    writeFileSync(csv, `${[csvLine(HEADER), csvLine(row(1)), csvLine(row(2))].join("\n")}\n`);
  });
  after(() => removeTestFolder(dir));

  const issue = (out: string, ...flags: string[]) => ["issue", "--type", "business-licence", "--csv", csv, "--out", out, ...flags];

  it("a new CSV with a wrong --token: refused before anything is sent or written, naming --token, not a rerun", async () => {
    const out = path.join(dir, "new");
    const run = await runCli(issue(out, "--api", env.apiUrl, "--token", "wrong", "--lang", "zh-CN"));
    expect(run.code, run.stderr).to.equal(2);
    expect(run.stderr).to.include(`服务 ${env.apiUrl} 拒绝了这个令牌`).and.include("AUTH_INVALID").and.include("--token");
    expect(run.stderr).to.not.include("原样再运行");
    expect(run.stdout).to.equal("");
    expect(existsSync(out), "nothing written").to.equal(false);
  });

  it("a resumed CSV with a wrong token is refused, not reported as all skipped with exit 0; another agency's token is refused by name", async () => {
    const out = path.join(dir, "resumed");
    const first = await runCli(issue(out, "--api", env.apiUrl, "--token", env.tokens["sh-amr"], "--json"));
    expect(first.code, first.stderr).to.equal(0);
    expect(JSON.parse(first.stdout)).to.include({ issued: 2, anchored: 2 });

    const wrong = await runCli(issue(out, "--api", env.apiUrl, "--token", `${env.tokens["sh-amr"]}x`, "--json"));
    expect(wrong.code, wrong.stderr).to.equal(2);
    expect(wrong.stdout, "no summary of skipped rows").to.equal("");
    expect(wrong.stderr).to.include("refused the token").and.include("AUTH_INVALID").and.include("--token");

    const other = await runCli(issue(out, "--api", env.apiUrl, "--token", env.tokens["sh-mca"], "--json"));
    expect(other.code, other.stderr).to.equal(2);
    expect(other.stderr).to.include("issued by sh-amr").and.include("sh-mca");

    const root = await runCli(issue(out, "--api", env.apiUrl, "--token", env.tokens.root));
    expect(root.code, root.stderr).to.equal(2);
    expect(root.stderr).to.include("root authority's token");

    // The right token resumes as before: nothing left to send.
    const again = await runCli(issue(out, "--api", env.apiUrl, "--token", env.tokens["sh-amr"], "--json"));
    expect(again.code, again.stderr).to.equal(0);
    expect(JSON.parse(again.stdout)).to.include({ issued: 0, skipped: 2 });
  });

  it("--token without --api inside the repository: the service's address comes from npm start's demo file, and the token is what is refused", async () => {
    // A checkout with npm start's demo file, as the command finds it from any folder below.
    const checkout = path.join(dir, "checkout");
    mkdirSync(path.join(checkout, "data"), { recursive: true });
    mkdirSync(path.join(checkout, "scratch"));
    writeFileSync(path.join(checkout, "package.json"), JSON.stringify({ name: "certchain" }));
    copyFileSync(env.demoFile, path.join(checkout, "data", "demo.json"));
    const out = path.join(dir, "discovered");
    const run = await runCli(issue(out, "--token", "wrong"), { cwd: path.join(checkout, "scratch"), env: { LANG: "zh_CN.UTF-8" } });
    expect(run.code, run.stderr).to.equal(2);
    expect(run.stderr).to.not.include("不知道服务地址");
    expect(run.stderr).to.include(`服务地址取自 ${path.join("..", "data", "demo.json")}：${env.apiUrl}`);
    expect(run.stderr).to.include("拒绝了这个令牌").and.include("AUTH_INVALID");
    expect(existsSync(path.join(out, STATE_FILE))).to.equal(false);
  });

  it("a demo file whose token this service never minted says so (another run of npm start), not 'check --token'", async () => {
    const demo = path.join(dir, "stale-demo.json");
    const stale = JSON.parse(await import("node:fs").then((fs) => fs.readFileSync(env.demoFile, "utf8")));
    stale.agencies = stale.agencies.map((a: { token: string }) => ({ ...a, token: `${a.token}x` }));
    writeFileSync(demo, JSON.stringify(stale));
    const run = await runCli(issue(path.join(dir, "stale"), "--demo", demo));
    expect(run.code, run.stderr).to.equal(2);
    expect(run.stderr).to.include("AUTH_INVALID").and.include("another run of npm start");
  });
});
