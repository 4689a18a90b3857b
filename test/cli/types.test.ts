import { expect } from "chai";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseCredential } from "@certchain/sdk";
import { csvLine } from "../../scripts/cli/csv";
import { SOCIAL_SECURITY_CARD } from "../support/social-security-card";
import { flagsFor, removeTestFolder, runCli, sharedCliEnvironment, testFolder, type CliEnvironment } from "./support";

describe("cli: a type added from its metadata file, accredited, then issued from CSV with nested columns", function () {
  this.timeout(300_000);
  let env: CliEnvironment;
  let dir: string;

  before(async function () {
    env = await sharedCliEnvironment(this);
    dir = testFolder("types");
  });
  after(() => removeTestFolder(dir));

  it("types add refuses a bad file with the JSON pointer of each fault", async function () {
    const bad = structuredClone(SOCIAL_SECURITY_CARD) as any;
    delete bad.metadata.claims[3].display;
    const file = path.join(dir, "bad-type.json");
    writeFileSync(file, JSON.stringify(bad));
    const run = await runCli(["types", "add", file, ...flagsFor(env, env.tokens.root)]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain("TYPE_METADATA_INVALID").and.contain("/metadata/claims/3/display");
  });

  it("types show prints no terminal control sequence from a type's labels (issue 21, finding 6: they set the title and cleared the screen)", async function () {
    const hostile = structuredClone(SOCIAL_SECURITY_CARD) as any;
    hostile.id = "escape-card";
    hostile.typeCode = "ESCC";
    hostile.metadata.display[0].name = "社保卡\u001b]0;pwned\u0007\u001b[2J";
    hostile.metadata.claims[2].display[0].label = "姓名\u001b[31m\u009b2J";
    const file = path.join(dir, "escape-card.json");
    writeFileSync(file, JSON.stringify(hostile));
    const added = await runCli(["types", "add", file, ...flagsFor(env, env.tokens.root)]);
    expect(added.code, added.stderr).to.equal(0);
    for (const args of [["types"], ["types", "show", "escape-card"], ["types", "show", "escape-card", "--lang", "en"]]) {
      const run = await runCli([...args, ...flagsFor(env, env.tokens.root)]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout + run.stderr).to.not.match(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    }
    const shown = await runCli(["types", "show", "escape-card", ...flagsFor(env, env.tokens.root)]);
    expect(shown.stdout).to.include("社保卡]0;pwned[2J"); // what stays is printable and harmless
  });

  it("types add → agency accredit → issue with the agency's existing token: every certificate names the new type", async function () {
    const file = path.join(dir, "social-security-card.json");
    writeFileSync(file, JSON.stringify(SOCIAL_SECURITY_CARD, null, 2));
    const added = await runCli(["types", "add", file, "--json", ...flagsFor(env, env.tokens.root)]);
    expect(added.code, added.stderr).to.equal(0);
    const { vct, integrity } = JSON.parse(added.stdout);
    expect(vct).to.match(/\/types\/social-security-card\/1$/);

    const accredited = await runCli(["agency", "accredit", "sh-amr", "--type", "social-security-card", ...flagsFor(env, env.tokens.root)]);
    expect(accredited.code, accredited.stderr).to.equal(0);
    expect(accredited.stdout).to.contain("accredited sh-amr for social-security-card");

    const csv = path.join(dir, "cards.csv");
    const header = ["holder.name", "holder.id_number", "holder.gender", "holder.date_of_birth", "card_number", "issuing_region", "date_of_issue", "banks"];
    const rows = [
      ["王芳", "11010519491231002X", "女", "1949-12-31", "B12345678", "上海市", "2023-03-15", "中国工商银行;上海银行"],
      ["李强", "310101198001010011", "男", "1980-01-01", "B87654321", "上海市", "2023-04-01", "中国银行"],
      ["赵六", "123", "男", "1980-01-01", "B11111111", "上海市", "2023-04-01", "中国银行"],
    ];
    writeFileSync(csv, [csvLine(header), ...rows.map(csvLine)].join("\n"));
    const out = path.join(dir, "cards-out");
    const issued = await runCli(["issue", "--type", "social-security-card", "--csv", csv, "--out", out, "--json", ...flagsFor(env, env.tokens["sh-amr"])]);
    expect(issued.code, issued.stderr).to.equal(1); // one bad row
    expect(JSON.parse(issued.stdout)).to.deep.include({ issued: 2, failed: 1 });
    expect(readFileSync(path.join(out, "errors.csv"), "utf8")).to.contain("holder.id_number");
    for (const file of readdirSync(out).filter((f) => f.endsWith(".json") && !f.startsWith("."))) {
      const { payload } = parseCredential(JSON.parse(readFileSync(path.join(out, file), "utf8")).credential);
      expect(payload).to.deep.include({ vct, "vct#integrity": integrity });
    }
  });
});
