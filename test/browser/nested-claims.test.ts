import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import type { Browser } from "playwright-core";
import { marriageCertificate } from "@certchain/sdk";
import { ARTIFACTS, PHONE, sharedChromium, watch } from "./chromium";
import { issueAnchored, sharedShareStack, type ShareStack } from "./stack";

/** Issue 9 §3: a marriage certificate whose spouses, and each spouse's fields, are revealed one by one. */
describe("browser: nested claims of a marriage certificate, chosen field by field in the wallet (real Chromium)", function () {
  this.timeout(300_000);
  let stack: ShareStack;
  let browser: Browser;
  let workDir: string;
  let file: string;
  let link: string;

  before(async function () {
    ({ browser } = await sharedChromium(this));
    workDir = mkdtempSync(path.join(tmpdir(), "certchain-nested-"));
    stack = await sharedShareStack();
    const token = await stack.service.issueToken({ kind: "agency", agency: "sh-mca", subject: "nested-test" }, 3600);
    const { envelope } = await issueAnchored(stack, "marriage-certificate", marriageCertificate.schema.examples[0] as Record<string, unknown>, token);
    // The civil-affairs bureau signs SM2 (国密), as in npm start: the pages below verify SM2 and SM3 in Chromium.
    expect(JSON.parse(Buffer.from(envelope.credential.split(".")[0], "base64url").toString()).alg).to.equal("SM2");
    file = path.join(workDir, "结婚证.json");
    writeFileSync(file, JSON.stringify(envelope));
  });

  after(async function () {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("the wallet offers each spouse and each field with its label; the holder reveals one spouse's name and the other's birth date", async function () {
    const context = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
    const wallet = await context.newPage();
    const problems = watch(wallet);
    await wallet.goto(`${stack.baseUrl}/wallet`);
    await wallet.waitForSelector("body[data-state=ready]");
    await wallet.setInputFiles("#file", file);
    await wallet.waitForSelector("body[data-state=loaded]", { timeout: 30_000 });
    expect(await wallet.textContent(".cert__type")).to.include("结婚证");
    const label = (id: string) => wallet.$eval(`label[for=${id}] .field__label`, (el) => el.textContent);
    expect(await label("reveal-spouses")).to.equal("双方当事人");
    expect(await label("reveal-spouses-0")).to.equal("当事人 1");
    expect(await label("reveal-spouses-1")).to.equal("当事人 2");
    expect(await label("reveal-spouses-0-id_number")).to.equal("身份证件号码");
    expect(await wallet.$eval("label[for=reveal-spouses-0-name] .field__value", (el) => el.textContent)).to.equal("周立恒");
    // No raw keys anywhere on the page.
    const text = (await wallet.textContent("#cert-section"))!;
    for (const key of ["id_number", "date_of_birth", "nationality", "spouses", "name:"]) expect(text).to.not.include(key);

    // Choosing a spouse whole reveals all of that spouse's fields (and locks them on).
    await wallet.check("#reveal-spouses-1");
    expect(await wallet.isChecked("#reveal-spouses-1-id_number")).to.equal(true);
    expect(await wallet.isDisabled("#reveal-spouses-1-id_number")).to.equal(true);
    await wallet.uncheck("#reveal-spouses-1");
    expect(await wallet.isDisabled("#reveal-spouses-1-id_number")).to.equal(false);

    await wallet.check("#reveal-spouses-0-name");
    await wallet.check("#reveal-spouses-1-date_of_birth");
    await wallet.screenshot({ path: path.join(ARTIFACTS, "wallet-nested-360x740-full.png"), fullPage: true });
    await wallet.click("#create");
    await wallet.waitForSelector("#share-result:not([hidden])", { timeout: 30_000 });
    link = await wallet.inputValue("#share-link");
    expect(problems).to.deep.equal([]);
    await context.close();
  });

  it("the share page shows the revealed nested claims with labels, never raw keys, and says what is withheld at every depth", async function () {
    const context = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(link);
    await page.waitForSelector("body[data-state=done]", { timeout: 30_000 });
    expect(await page.$eval(".verdict", (el) => (el as HTMLElement).dataset.verdict)).to.equal("valid");
    const terms = await page.$$eval("[data-testid=revealed] dt", (els) => els.map((el) => el.textContent));
    expect(terms).to.deep.equal(["双方当事人", "姓名", "出生日期"]);
    const items = await page.$$eval(".claim-item__label", (els) => els.map((el) => el.textContent));
    expect(items).to.deep.equal(["当事人 1", "当事人 2"]);
    const body = (await page.textContent("body"))!;
    expect(body).to.include("周立恒").and.include("1995-10-08");
    // Withheld values never reach the page: the second spouse's name, both ID numbers, the first's birth date.
    for (const secret of ["林晓雯", "330106199302113571", "350102199510082624", "1993-02-11"]) expect(body).to.not.include(secret);
    for (const key of ["id_number", "date_of_birth", "holder_name", "spouses"]) expect(body).to.not.include(key);
    const withheld = await page.$$eval("[data-testid=withheld] li", (els) => els.map((el) => el.textContent));
    expect(withheld).to.include.members(["持证人", "双方当事人 › 当事人 1 › 身份证件号码", "双方当事人 › 当事人 2 › 姓名"]);
    await page.screenshot({ path: path.join(ARTIFACTS, "share-page-nested-360x740-full.png"), fullPage: true });

    await page.click("#lang-toggle");
    expect(await page.$$eval("[data-testid=revealed] dt", (els) => els.map((el) => el.textContent))).to.deep.equal(["Spouses", "Name", "Date of birth"]);
    expect(await page.$$eval(".claim-item__label", (els) => els.map((el) => el.textContent))).to.deep.equal(["Spouse 1", "Spouse 2"]);
    expect(problems).to.deep.equal([]);
    await context.close();
  });
});
