import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { findTypeById, verify, type Envelope } from "@certchain/sdk";
import { presentationFromPdf } from "../../scripts/lib/paper/read-paper";
import { registryFlags, removeTestFolder, runCli, sharedCliEnvironment, testFolder, type CliEnvironment } from "./support";

// Issue 22, point 4: `certchain print --reveal` takes what `issue` takes as CSV headers (the claim's
// name, or its label in Chinese or English, nested parts after dots) and answers in one language.

const CJK = /[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/;

async function issueAnchored(env: CliEnvironment, token: string, type: string): Promise<{ id: string; envelope: Envelope }> {
  const response = await fetch(`${env.apiUrl}/v1/certificates`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", prefer: "wait=30" },
    body: JSON.stringify({ type, claims: findTypeById(type)!.schema.examples[0] }),
  });
  const body = (await response.json()) as { id: string; envelope: Envelope };
  expect(body.envelope?.anchor?.status, JSON.stringify(body)).to.equal("anchored");
  return body;
}

describe("cli: certchain print --reveal by label, in one language", function () {
  this.timeout(300_000);
  let env: CliEnvironment;
  let dir: string;
  let licence: string;
  let marriage: string;
  let licenceId: string;

  before(async function () {
    env = await sharedCliEnvironment(this);
    dir = testFolder("print-reveal");
    const issued = await issueAnchored(env, env.tokens["sh-amr"], "business-licence");
    licenceId = issued.id;
    licence = path.join(dir, "licence.json");
    writeFileSync(licence, JSON.stringify(issued.envelope));
    marriage = path.join(dir, "marriage.json");
    writeFileSync(marriage, JSON.stringify((await issueAnchored(env, env.tokens["sh-mca"], "marriage-certificate")).envelope));
  });
  after(() => removeTestFolder(dir));

  const print = (file: string, out: string, ...extra: string[]) => runCli(["print", file, "--out", path.join(dir, out), ...registryFlags(env), ...extra]);
  /** What the printout's attached presentation reveals, as the chain judges it. */
  const printedClaims = async (out: string) => {
    const text = await presentationFromPdf(readFileSync(path.join(dir, out)));
    const result = await verify(text, { registries: [env.registry] });
    expect(result.verdict).to.equal("valid");
    return result.claims;
  };

  it("accepts Chinese labels (名称,法定代表人, also with a Chinese comma), English labels and names alike", async () => {
    const chinese = await print(licence, "zh.pdf", "--reveal", "名称，法定代表人", "--lang", "zh-CN");
    expect(chinese.code, chinese.stderr).to.equal(0);
    expect(chinese.stdout).to.include("展示：名称、法定代表人");
    expect(Object.keys(await printedClaims("zh.pdf")).sort()).to.deep.equal(["company_name", "legal_representative"]);

    const english = await print(licence, "en.pdf", "--reveal", "company name,Legal representative,domicile", "--json");
    expect(english.code, english.stderr).to.equal(0);
    expect(JSON.parse(english.stdout).revealed).to.deep.equal(["company_name", "legal_representative", "domicile"]);
    expect(Object.keys(await printedClaims("en.pdf")).sort()).to.deep.equal(["company_name", "domicile", "legal_representative"]);
  });

  it("the printout names the verify page of the service it was printed through (its PUBLIC_URL), else any certchain verifier", async () => {
    const through = await print(licence, "service.pdf", "--reveal", "名称", "--api", env.apiUrl, "--json");
    expect(through.code, through.stderr).to.equal(0);
    expect(JSON.parse(through.stdout).verifyUrl).to.equal(`${env.service.publicUrl}/verify`);
    const offline = await print(licence, "offline.pdf", "--reveal", "名称", "--json");
    expect(JSON.parse(offline.stdout).verifyUrl).to.equal(null);
  });

  it("a nested part by its labels (双方当事人.0.姓名) reveals just that part", async () => {
    const run = await print(marriage, "spouse.pdf", "--reveal", "双方当事人.0.姓名,持证人", "--json");
    expect(run.code, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout).revealed).to.deep.equal(["spouses.0.name", "holder_name"]);
    const claims = await printedClaims("spouse.pdf");
    expect(Object.keys(claims).sort()).to.deep.equal(["holder_name", "spouses"]);
    expect(claims.spouses).to.deep.equal([{ name: (findTypeById("marriage-certificate")!.schema.examples[0] as any).spouses[0].name }]);
  });

  it("what the certificate does not hold is named in the run's language only, with what it has", async () => {
    const zh = await print(licence, "x.pdf", "--reveal", "名称,不存在的项", "--lang", "zh-CN");
    expect(zh.code).to.equal(2);
    expect(zh.stderr).to.include("这张证照里没有：不存在的项").and.include("名称（company_name）").and.include("法定代表人（legal_representative）");
    // Nothing English but the claim names given in brackets.
    expect(zh.stderr.replace(/（[a-z_]+）/g, "").replace(/certchain print:?/g, "")).to.not.match(/[A-Za-z]{3,}/);

    const en = await print(licence, "x.pdf", "--reveal", "company_name,nope", "--lang", "en");
    expect(en.code).to.equal(2);
    expect(en.stderr).to.include("not in this certificate: nope").and.include("Company name (company_name)");
    expect(en.stderr).to.not.match(CJK);
  });

  it("a certificate that is not valid is refused in one language too", async () => {
    const revoked = await runCli(["revoke", licenceId, "--reason", "1", "--api", env.apiUrl, "--token", env.tokens["sh-amr"]]);
    expect(revoked.code, revoked.stderr).to.equal(0);
    const zh = await print(licence, "revoked.pdf", "--lang", "zh-CN");
    expect(zh.code).to.equal(1);
    expect(zh.stderr).to.include("未打印：证照核验结果为“已撤销”").and.include("STATUS_REVOKED");
    expect(zh.stderr.replace(/\[STATUS_REVOKED\]/, "").replace(/certchain print:?/g, "")).to.not.match(/[A-Za-z]{3,}/);
  });
});
