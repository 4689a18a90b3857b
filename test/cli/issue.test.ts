import { expect } from "chai";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { verifyMany, type Envelope } from "@certchain/sdk";
import { csvLine } from "../../scripts/cli/csv";
import { ERRORS_FILE, STATE_FILE } from "../../scripts/cli/issue";
import { removeTestFolder, runCli, sharedCliEnvironment, spawnCli, testFolder, type CliEnvironment } from "./support";

const CLAIMS = [
  "company_name", "unified_social_credit_code", "company_type", "legal_representative", "registered_capital",
  "date_of_establishment", "business_term_end", "business_scope", "domicile", "registration_authority", "registration_date",
];

function licenceRow(i: number): string[] {
  return [
    `上海青禾数字科技第${i}分公司`,
    `91310115MA${String(i).padStart(6, "0")}3R`,
    "有限责任公司（自然人投资或控股）",
    `陈嘉树${i}`,
    "人民币500万元整",
    "2018-06-21",
    i % 2 ? "长期" : "2048-06-20",
    // Quoted on the way out: commas, quotes and a line break inside a field.
    `技术服务、技术开发，"软件开发"；\n信息系统集成服务 ${i}`,
    "上海市浦东新区青禾路88号3幢501室",
    "上海市浦东新区市场监督管理局",
    "2023-09-14",
  ];
}

/** Data index → what is wrong with it. Spreadsheet row = index + 2 (the header is row 1). */
const BAD: Record<number, (row: string[]) => string[]> = {
  10: (row) => ((row[1] = "91310115MA00001I3R"), row), // I is not in the code alphabet
  200: (row) => ((row[5] = "2018-13-01"), row), // no month 13
  555: (row) => ((row[0] = ""), row), // required claim left blank
  998: (row) => row.slice(0, 9), // a short row: columns would shift
};
const BAD_ROWS = Object.keys(BAD).map((i) => Number(i) + 2);

async function issuedCount(env: CliEnvironment): Promise<number> {
  let count = 0;
  let after = 0;
  for (;;) {
    const { entries } = await env.service.audit({ kind: "root", subject: "test", tokenId: "t" }, { after, limit: 1000 });
    if (entries.length === 0) return count;
    count += entries.filter((e) => e.action === "certificate.issue").length;
    after = entries[entries.length - 1].seq;
  }
}

const stateOf = (out: string) => JSON.parse(readFileSync(path.join(out, STATE_FILE), "utf8")) as { rows: Record<string, { row: number; id: string; status: string; file: string }> };
const idsOf = (out: string) => Object.values(stateOf(out).rows).map((r) => `${r.row}:${r.id}`).sort();

describe("cli: certchain issue", function () {
  this.timeout(600_000);
  let env: CliEnvironment;
  let dir: string;
  let csv: string;
  let out: string;

  before(async function () {
    env = await sharedCliEnvironment(this);
    dir = testFolder("issue");
    const rows = Array.from({ length: 1000 }, (_, i) => (BAD[i] ? BAD[i](licenceRow(i)) : licenceRow(i)));
    csv = path.join(dir, "licences.csv");
    // A byte-order mark and CRLF, as Excel writes them.
    writeFileSync(csv, `\ufeff${[csvLine(CLAIMS), ...rows.map(csvLine)].join("\r\n")}\r\n`);
    out = path.join(dir, "out");
  });
  after(() => removeTestFolder(dir));

  it("issues the good rows of a 1,000-row CSV and reports the bad ones by row number", async function () {
    const before = await issuedCount(env);
    const run = await runCli(["issue", "--type", "business-licence", "--csv", csv, "--out", out, "--demo", env.demoFile, "--json"]);
    expect(run.code, run.stderr).to.equal(1);
    const summary = JSON.parse(run.stdout);
    expect(summary).to.deep.include({ rows: 1000, issued: 996, skipped: 0, failed: 4, failedRows: BAD_ROWS });

    const errorsText = readFileSync(path.join(out, ERRORS_FILE), "utf8");
    expect(errorsText.startsWith("\ufeff"), "a byte-order mark for spreadsheet programs").to.equal(true);
    const errors = errorsText.slice(1).trim().split(/\r\n/);
    expect(errors[0]).to.equal("row,column,reason,code,field");
    expect([...new Set(errors.slice(1).map((line) => Number(line.split(",")[0])))]).to.deep.equal(BAD_ROWS);
    // Row, the column as the file names it, and the reason in plain words.
    expect(errors.find((l) => l.startsWith("12,"))).to.match(/^12,unified_social_credit_code,.*91310115MA00001I3R.*unified social credit code.*,CLAIMS_INVALID,unified_social_credit_code$/);
    expect(errors.find((l) => l.startsWith("202,"))).to.match(/^202,date_of_establishment,.*2018-13-01.*YYYY-MM-DD/);
    expect(errors.find((l) => l.startsWith("557,"))).to.match(/^557,company_name,required/);
    expect(errors.find((l) => l.startsWith("1000,"))).to.include("CSV_FIELD_COUNT").and.include("the header has 11");
    expect(errorsText).to.not.match(/must match|must have required|must be string|format "date"/);

    const files = readdirSync(out).filter((f) => /^\d+-.+\.json$/.test(f));
    expect(files).to.have.length(996);
    expect(files.some((f) => BAD_ROWS.includes(Number(f.split("-")[0])))).to.equal(false);
    expect(Object.keys(stateOf(out).rows)).to.have.length(996);
    expect(await issuedCount(env)).to.equal(before + 996);

    // Quoted fields survived the trip: commas, quotes and the line break are in the claims.
    const envelope = JSON.parse(readFileSync(path.join(out, files.find((f) => f.startsWith("2-"))!), "utf8")) as Envelope;
    const [result] = await verifyMany([envelope], { registries: [env.registry] });
    expect(["valid", "pending"]).to.include(result.verdict);
    expect(result.claims.business_scope).to.equal(`技术服务、技术开发，"软件开发"；\n信息系统集成服务 0`);
    expect(result.claims.company_name).to.equal("上海青禾数字科技第0分公司");
  });

  it("issues nothing new when rerun", async function () {
    const before = await issuedCount(env);
    const ids = idsOf(out);
    const run = await runCli(["issue", "--type", "business-licence", "--csv", csv, "--out", out, "--demo", env.demoFile, "--json"]);
    expect(run.code, run.stderr).to.equal(1);
    expect(JSON.parse(run.stdout)).to.deep.include({ issued: 0, skipped: 996, failed: 4, failedRows: BAD_ROWS });
    expect(await issuedCount(env)).to.equal(before);
    expect(idsOf(out)).to.deep.equal(ids);
  });

  it("issues nothing twice even when the state file was lost (a crash before it was written): the Idempotency-Keys replay", async function () {
    const before = await issuedCount(env);
    const ids = idsOf(out);
    rmSync(path.join(out, STATE_FILE));
    // Same file, so the same batches (500 rows each) and the same keys.
    const run = await runCli(["issue", "--type", "business-licence", "--csv", csv, "--out", out, "--demo", env.demoFile, "--json"]);
    expect(run.code, run.stderr).to.equal(1);
    expect(JSON.parse(run.stdout)).to.deep.include({ issued: 996, failed: 4 });
    expect(await issuedCount(env)).to.equal(before);
    expect(idsOf(out)).to.deep.equal(ids);
  });

  it("prints a readable summary, and every envelope in the folder verifies (it waited for anchoring)", async function () {
    const run = await runCli(["issue", "--type", "business-licence", "--csv", csv, "--out", out, "--demo", env.demoFile, "--timeout", "120"]);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stdout).to.match(/issued\s+0/).and.match(/skipped\s+996/).and.match(/failed\s+4\s+rows 12, 202, 557, 1000/);
    expect(run.stdout).to.include(path.join(out, ERRORS_FILE));
    expect(Object.values(stateOf(out).rows).every((r) => r.status === "anchored")).to.equal(true);

    const verified = await runCli(["verify", out, "--demo", env.demoFile, "--json"]);
    expect(verified.code, verified.stderr + verified.stdout.slice(0, 2000)).to.equal(0);
    const results = JSON.parse(verified.stdout) as { verdict: string }[];
    expect(results).to.have.length(996);
    expect(results.every((r) => r.verdict === "valid")).to.equal(true);
  });

  it("coerces cells to the schema's types: integers, ;-separated lists, dotted nested claims", async function () {
    const receipts = path.join(dir, "receipts.csv");
    writeFileSync(
      receipts,
      [
        "document_digest,digest_algorithm,title,parties,document_size",
        `${"a".repeat(64)},sha-256,合同一,甲公司;乙公司,1024`,
        `${"b".repeat(64)},sha-256,合同二,"[""丙"",""丁""]",2048`,
        `${"c".repeat(64)},sha-256,合同三,戊,12.5`,
      ].join("\n"),
    );
    const receiptsOut = path.join(dir, "receipts-out");
    const run = await runCli(["issue", "--type", "notarisation-receipt", "--csv", receipts, "--out", receiptsOut, "--demo", env.demoFile, "--json"]);
    expect(run.code, run.stderr).to.equal(1);
    expect(JSON.parse(run.stdout)).to.deep.include({ issued: 2, failed: 1, failedRows: [4] });
    expect(readFileSync(path.join(receiptsOut, ERRORS_FILE), "utf8")).to.include("document_size");
    const envelopes = readdirSync(receiptsOut).filter((f) => f.endsWith(".json") && !f.startsWith(".")).sort().map((f) => JSON.parse(readFileSync(path.join(receiptsOut, f), "utf8")));
    const results = await verifyMany(envelopes, { registries: [env.registry] });
    expect(results.map((r) => r.verdict)).to.deep.equal(["valid", "valid"]);
    expect(results.map((r) => [r.claims.parties, r.claims.document_size])).to.deep.equal([
      [["甲公司", "乙公司"], 1024],
      [["丙", "丁"], 2048],
    ]);

    const marriages = path.join(dir, "marriages.csv");
    const spouse = (i: number, name: string, gender: string, born: string, id: string) => [`spouses.${i}.name`, `spouses.${i}.gender`, `spouses.${i}.date_of_birth`, `spouses.${i}.id_number`, `spouses.${i}.nationality`].map((h, k) => [h, [name, gender, born, id, "中国"][k]]);
    const cells = [["holder_name", "林晓雯"], ["registration_date", "2024-05-20"], ...spouse(0, "周立恒", "男", "1993-02-11", "330106199302113571"), ...spouse(1, "林晓雯", "女", "1995-10-08", "350102199510082624"), ["registration_authority", "杭州市西湖区民政局"]];
    writeFileSync(marriages, `${csvLine(cells.map((c) => c[0]))}\n${csvLine(cells.map((c) => c[1]))}\n`);
    const married = await runCli(["issue", "--type", "marriage-certificate", "--csv", marriages, "--out", path.join(dir, "marriages-out"), "--demo", env.demoFile, "--json"]);
    expect(married.code, married.stderr + married.stdout).to.equal(0);
    expect(JSON.parse(married.stdout)).to.deep.include({ issued: 1, failed: 0 });
    expect(existsSync(path.join(dir, "marriages-out", ERRORS_FILE))).to.equal(false);
  });

  it("refuses a header that does not fit the type before sending anything, in one line", async function () {
    const wrong = path.join(dir, "wrong.csv");
    writeFileSync(wrong, "company_name,favourite_colour\nA,blue\n");
    const before = await issuedCount(env);
    const run = await runCli(["issue", "--type", "business-licence", "--csv", wrong, "--out", path.join(dir, "wrong-out"), "--demo", env.demoFile]);
    expect(run.code).to.equal(2);
    expect(run.stderr.trim().split("\n")).to.have.length(1);
    expect(run.stderr).to.include("favourite_colour").and.not.include("    at ");
    expect(await issuedCount(env)).to.equal(before);
  });

  it("shows the agency's refusal per row when the token may not issue the type", async function () {
    const run = await runCli(["issue", "--type", "business-licence", "--csv", csv, "--out", path.join(dir, "mca-out"), "--demo", env.demoFile, "--agency", "sh-mca", "--json"]);
    expect(run.code).to.equal(1);
    const summary = JSON.parse(run.stdout);
    expect(summary.issued).to.equal(0);
    expect(summary.failed).to.equal(1000);
    expect(readFileSync(path.join(dir, "mca-out", ERRORS_FILE), "utf8")).to.include("CERT_TYPE_NOT_ACCREDITED");
  });

  it("retries rows the service refused on a rerun, instead of replaying the refusal", async function () {
    const small = path.join(dir, "small.csv");
    writeFileSync(small, [csvLine(CLAIMS), ...Array.from({ length: 20 }, (_, i) => csvLine(licenceRow(5000 + i)))].join("\n"));
    const smallOut = path.join(dir, "small-out");
    // The same agency, while the registry does not accredit it for the type (its accreditation
    // starts in the future): every row refused, under one key.
    const root = { kind: "root", subject: "cli-test-root", tokenId: "t" } as const;
    await env.service.accredit(root, "sh-amr", { type: "business-licence", validFrom: "2099-01-01T00:00:00Z" }, { requestId: "narrow" });
    const refused = await runCli(["issue", "--type", "business-licence", "--csv", small, "--out", smallOut, "--api", env.apiUrl, "--token", env.tokens["sh-amr"], "--json"]);
    expect(refused.code).to.equal(1);
    expect(JSON.parse(refused.stdout)).to.deep.include({ issued: 0, failed: 20 });
    await env.service.accredit(root, "sh-amr", { type: "business-licence" }, { requestId: "wide" });

    const before = await issuedCount(env);
    const retried = await runCli(["issue", "--type", "business-licence", "--csv", small, "--out", smallOut, "--api", env.apiUrl, "--token", env.tokens["sh-amr"], "--json"]);
    expect(retried.code, retried.stdout + retried.stderr).to.equal(0);
    expect(JSON.parse(retried.stdout)).to.deep.include({ issued: 20, failed: 0, errorsFile: null });
    expect(existsSync(path.join(smallOut, ERRORS_FILE))).to.equal(false);
    expect(await issuedCount(env)).to.equal(before + 20);
  });

  it("issues nothing twice when killed with SIGKILL mid-run and rerun", async function () {
    const big = path.join(dir, "big.csv");
    // Three batches of 500: killed once the first is written, two are still to come or in flight.
    const rows = 1500;
    writeFileSync(big, [csvLine(CLAIMS), ...Array.from({ length: rows }, (_, i) => csvLine(licenceRow(10_000 + i)))].join("\n"));
    const bigOut = path.join(dir, "big-out");
    const before = await issuedCount(env);
    const child = await spawnCli(["issue", "--type", "business-licence", "--csv", big, "--out", bigOut, "--demo", env.demoFile]);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    // Killed once the first batch is in: later batches may be in flight, acknowledged or not.
    while (!existsSync(bigOut) || readdirSync(bigOut).filter((f) => f.endsWith(".json")).length < 500) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    await exited;
    const partial = (await issuedCount(env)) - before;
    expect(partial).to.be.within(500, rows);

    const rerun = await runCli(["issue", "--type", "business-licence", "--csv", big, "--out", bigOut, "--demo", env.demoFile, "--json"]);
    expect(rerun.code, rerun.stderr).to.equal(0);
    const summary = JSON.parse(rerun.stdout);
    expect(summary.issued + summary.skipped).to.equal(rows);
    expect(await issuedCount(env)).to.equal(before + rows);
    const ids = Object.values(stateOf(bigOut).rows).map((r) => r.id);
    expect(new Set(ids).size).to.equal(rows);
  });
});
