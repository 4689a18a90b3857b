import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { findTypeById } from "@certchain/sdk";
import { formatTime } from "../../display/time";
import { ARTIFACTS, PHONE, checkAccessibility, sharedChromium, watch } from "./chromium";
import { issueAnchored, sharedShareStack, type ShareStack } from "./stack";

const COMPANY = "上海青禾数字科技有限公司";
const REPRESENTATIVE = "陈嘉树";

async function verdictOf(page: Page): Promise<{ word: string; verdict: string; reason: string; text: string }> {
  await page.waitForSelector("body[data-state=done]", { timeout: 30_000 });
  return page.$eval(".verdict", (el) => ({
    word: el.querySelector(".verdict__word")?.textContent ?? el.querySelector(".verdict__title")?.textContent ?? "",
    verdict: (el as HTMLElement).dataset.verdict ?? "",
    reason: (el as HTMLElement).dataset.reason ?? "",
    text: el.textContent ?? "",
  }));
}

/** Opens (or reopens) a share link in `page` and waits for the verdict. */
async function openLink(page: Page, link: string) {
  await page.goto("about:blank");
  await page.goto(link);
  return verdictOf(page);
}

describe("browser: share a certificate from the wallet and verify the link (real Chromium)", function () {
  this.timeout(300_000);
  let stack: ShareStack;
  let browser: Browser;
  let holder: BrowserContext;
  let wallet: Page;
  let walletProblems: string[];
  let verifier: BrowserContext;
  let certificate: { id: string; envelope: unknown };
  let certificateFile: string;
  let workDir: string;
  let link: string;

  before(async function () {
    ({ browser } = await sharedChromium(this));
    workDir = mkdtempSync(path.join(tmpdir(), "certchain-browser-files-"));
    stack = await sharedShareStack();
    const claims = structuredClone(findTypeById("business-licence")!.schema.examples[0]) as Record<string, unknown>;
    certificate = await issueAnchored(stack, "business-licence", claims);
    certificateFile = path.join(workDir, "营业执照.json");
    writeFileSync(certificateFile, JSON.stringify(certificate.envelope, null, 2));
    holder = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
    wallet = await holder.newPage();
    walletProblems = watch(wallet);
  });

  after(async function () {
    await holder?.close().catch(() => undefined);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  beforeEach(async function () {
    verifier = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
  });
  afterEach(async function () {
    await verifier?.close();
  });

  it("the holder loads the certificate, reveals two fields and creates a link; only ciphertext leaves the browser", async function () {
    await wallet.goto(`${stack.baseUrl}/wallet`);
    await wallet.waitForSelector("body[data-state=ready]");
    expect(await wallet.textContent("h1")).to.equal("我的电子证照");
    await checkAccessibility(wallet, "wallet (empty)");

    await wallet.setInputFiles("#file", certificateFile);
    await wallet.waitForSelector("body[data-state=loaded]", { timeout: 30_000 });
    const badge = await wallet.$eval(".badge", (el) => ({ verdict: (el as HTMLElement).dataset.verdict, text: el.textContent }));
    expect(badge.verdict).to.equal("valid");
    expect(badge.text).to.include("有效");
    expect(await wallet.textContent(".cert__type")).to.include("营业执照");
    expect(await wallet.textContent(".fact-issuer")).to.equal("上海市市场监督管理局");
    expect(await wallet.$$eval(".fields input[type=checkbox]", (els) => els.length)).to.equal(Object.keys(findTypeById("business-licence")!.claims).length);

    await wallet.check("#reveal-company_name");
    await wallet.check("#reveal-legal_representative");
    await wallet.selectOption("#expiry", "604800");
    await wallet.evaluate(() => window.scrollTo(0, document.getElementById("cert-section")!.offsetTop - 8));
    await wallet.screenshot({ path: path.join(ARTIFACTS, "wallet-360x740.png") });
    await wallet.screenshot({ path: path.join(ARTIFACTS, "wallet-360x740-full.png"), fullPage: true });
    await checkAccessibility(wallet, "wallet (certificate)");

    const uploads: string[] = [];
    wallet.on("request", (request) => {
      if (request.method() === "POST" && request.url().endsWith("/v1/shares")) uploads.push(request.postData() ?? "");
    });
    await wallet.click("#create");
    await wallet.waitForSelector("#share-result:not([hidden])", { timeout: 30_000 });
    link = await wallet.inputValue("#share-link");
    expect(link).to.match(new RegExp(`^${stack.baseUrl}/s/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{43}$`));
    expect(await wallet.$eval("#qr svg", (svg) => svg.getAttribute("viewBox"))).to.match(/^0 0 \d+ \d+$/);
    expect(await wallet.textContent("#share-expiry")).to.include("有效期至");

    expect(uploads).to.have.length(1);
    const uploaded = JSON.parse(uploads[0]);
    expect(Object.keys(uploaded).sort()).to.deep.equal(["ciphertext", "expiresAt"]);
    const key = link.split("#")[1];
    for (const secret of [COMPANY, REPRESENTATIVE, key, "company_name"]) expect(uploads[0]).to.not.include(secret);
    const days = (Date.parse(uploaded.expiresAt) - Date.now()) / 86_400_000;
    expect(days).to.be.within(6.9, 7.01);

    await wallet.screenshot({ path: path.join(ARTIFACTS, "wallet-link-360x740.png") });
    await wallet.screenshot({ path: path.join(ARTIFACTS, "wallet-link-360x740-full.png"), fullPage: true });
    await checkAccessibility(wallet, "wallet (link)");
    expect(walletProblems).to.deep.equal([]);
  });

  it("a fresh browser opens the link: 有效, exactly the two revealed fields, the agency, the anchor time and what was withheld", async function () {
    const page = await verifier.newPage();
    const problems = watch(page);
    const requests: string[] = [];
    page.on("request", (request) => requests.push(`${request.method()} ${request.url()} ${request.postData() ?? ""}`));

    const verdict = await openLink(page, link);
    expect(verdict.word).to.equal("有效");
    expect(verdict.verdict).to.equal("valid");
    const revealed = await page.$$eval("[data-testid=revealed] dt", (els) => els.map((el) => el.textContent));
    const values = await page.$$eval("[data-testid=revealed] dd", (els) => els.map((el) => el.textContent));
    expect(revealed).to.deep.equal(["名称", "法定代表人"]);
    expect(values).to.deep.equal([COMPANY, REPRESENTATIVE]);
    expect(await page.textContent(".fact-issuer")).to.equal("上海市市场监督管理局");
    // The anchor time as every view writes it (display/time.ts), from the chain.
    expect(await page.textContent(".fact-anchored")).to.equal(formatTime((certificate.envelope as { anchor: { anchoredAt: string } }).anchor.anchoredAt));
    const withheld = await page.$$eval("[data-testid=withheld] li", (els) => els.map((el) => el.textContent));
    expect(withheld).to.include.members(["统一社会信用代码", "住所", "经营范围"]);
    expect(withheld).to.not.include("名称");
    expect(withheld).to.have.length(Object.keys(findTypeById("business-licence")!.claims).length - 2);
    // The whole page never shows a withheld value.
    const body = (await page.textContent("body"))!;
    expect(body).to.not.include("91310115MA1H7Q2K3R");
    expect(body).to.not.include("浦东新区青禾路");

    // Verified in the browser, against the chain through the read-only proxy; the key never left it.
    const key = link.split("#")[1];
    expect(requests.some((r) => r.startsWith(`POST ${stack.baseUrl}/rpc`))).to.equal(true);
    expect(requests.filter((r) => r.includes(key))).to.deep.equal([]);

    await page.screenshot({ path: path.join(ARTIFACTS, "share-page-360x740.png") });
    await page.screenshot({ path: path.join(ARTIFACTS, "share-page-360x740-full.png"), fullPage: true });
    await checkAccessibility(page, "share page (valid)");

    // English on request.
    await page.click("#lang-toggle");
    expect(await page.textContent(".verdict__word")).to.equal("Valid");
    expect(await page.$$eval("[data-testid=revealed] dt", (els) => els.map((el) => el.textContent))).to.deep.equal(["Company name", "Legal representative"]);
    expect(await page.getAttribute("html", "lang")).to.equal("en");
    expect(problems).to.deep.equal([]);
  });

  it("after the agency revokes the certificate, the same link shows 已撤销 with the reason", async function () {
    const revoked = await stack.api("POST", `/v1/certificates/${certificate.id}/revoke`, { reason: 1 });
    expect(revoked.status, JSON.stringify(revoked.body)).to.equal(200);
    const page = await verifier.newPage();
    const problems = watch(page);
    const verdict = await openLink(page, link);
    expect(verdict.word).to.equal("已撤销");
    expect(verdict.verdict).to.equal("revoked");
    expect(verdict.reason).to.equal("STATUS_REVOKED");
    expect(verdict.text).to.include("发证机关已撤销此证照");
    expect(verdict.text).to.include("错误签发"); // reason code 1, in words
    // The revealed fields are still shown, so the verifier sees what was revoked.
    expect(await page.$$eval("[data-testid=revealed] dt", (els) => els.length)).to.equal(2);
    await page.screenshot({ path: path.join(ARTIFACTS, "share-page-revoked-360x740.png"), fullPage: true });
    await checkAccessibility(page, "share page (revoked)");
    expect(problems).to.deep.equal([]);
  });

  it("a tampered ciphertext or key gives a clear failure, never a blank page", async function () {
    const page = await verifier.newPage();
    const problems = watch(page);
    const [base, key] = link.split("#");

    // The key altered (one character) or cut short.
    const flipped = (key[0] === "A" ? "B" : "A") + key.slice(1);
    let verdict = await openLink(page, `${base}#${flipped}`);
    expect(verdict.word).to.equal("无法解密");
    expect(verdict.reason).to.equal("SHARE_DECRYPT_FAILED");
    expect(verdict.text).to.include("无法解密：链接不完整或已被篡改");
    await page.screenshot({ path: path.join(ARTIFACTS, "share-page-tampered-360x740.png") });

    verdict = await openLink(page, `${base}#${key.slice(0, 30)}`);
    expect(verdict.reason).to.equal("SHARE_LINK_INVALID");
    expect(verdict.word).to.equal("链接不完整");
    verdict = await openLink(page, base);
    expect(verdict.reason).to.equal("SHARE_LINK_INVALID");

    // The ciphertext altered on its way from the service.
    await page.route("**/v1/shares/*", async (route) => {
      const response = await route.fetch();
      const record = await response.json();
      const parts = record.ciphertext.split(".");
      parts[3] = (parts[3][0] === "A" ? "B" : "A") + parts[3].slice(1);
      await route.fulfill({ response, json: { ...record, ciphertext: parts.join(".") } });
    });
    verdict = await openLink(page, link);
    expect(verdict.word).to.equal("无法解密");
    expect(verdict.reason).to.equal("SHARE_DECRYPT_FAILED");
    await page.unroute("**/v1/shares/*");
    expect(await page.isVisible(".verdict")).to.equal(true);
    expect(problems.filter((p) => !/Failed to load resource/.test(p))).to.deep.equal([]);
  });

  it("the holder withdraws the link: it is gone for everyone (链接已失效, 410 from the API)", async function () {
    await wallet.click("#withdraw");
    await wallet.waitForSelector("dialog#confirm[open]");
    await wallet.click("#confirm-ok");
    await wallet.waitForFunction(() => document.querySelector("#share-status")?.textContent?.includes("已撤回"));
    expect(await wallet.isHidden("#share-result")).to.equal(true);
    const id = new URL(link).pathname.split("/").pop()!;
    const api = await fetch(`${stack.baseUrl}/v1/shares/${id}`);
    expect(api.status).to.equal(410);
    expect(((await api.json()) as { error: { code: string } }).error.code).to.equal("SHARE_GONE");

    const page = await verifier.newPage();
    const problems = watch(page);
    const verdict = await openLink(page, link);
    expect(verdict.word).to.equal("链接已失效");
    expect(verdict.reason).to.equal("SHARE_NOT_FOUND");
    expect(await page.$("[data-testid=revealed]")).to.equal(null);
    expect((await page.textContent("body"))!).to.not.include(COMPANY);
    await page.screenshot({ path: path.join(ARTIFACTS, "share-page-withdrawn-360x740.png") });
    await checkAccessibility(page, "share page (withdrawn)");
    // The browser logs the 410 itself; nothing else may go wrong.
    expect(problems.filter((p) => !/Failed to load resource/.test(p))).to.deep.equal([]);
  });

  it("/verify checks a dropped-in certificate file with the same view", async function () {
    const page = await verifier.newPage();
    const problems = watch(page);
    await page.goto(`${stack.baseUrl}/verify`);
    await page.waitForSelector("body[data-state=ready]");
    await checkAccessibility(page, "verify page (empty)");
    await page.setInputFiles("#file", certificateFile);
    const verdict = await verdictOf(page);
    expect(verdict.word).to.equal("已撤销");
    expect(await page.$$eval("[data-testid=revealed] dt", (els) => els.length)).to.equal(Object.keys(findTypeById("business-licence")!.claims).length);
    await page.screenshot({ path: path.join(ARTIFACTS, "verify-page-360x740.png") });

    // Pasted text that is not a certificate: a plain-words failure.
    await page.fill("#pasted", "hello");
    await page.click("#paste-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector(".verdict")?.getAttribute("data-reason") === "FORMAT_MALFORMED");
    expect(await page.textContent(".verdict__word")).to.equal("无效");
    expect(problems).to.deep.equal([]);
  });

  it("the wallet works offline once visited: page, script and certificate without the server (status 无法验证, creating a link says why not)", async function () {
    const page = await verifier.newPage();
    const problems = watch(page);
    await page.goto(`${stack.baseUrl}/wallet`);
    await page.waitForSelector("body[data-state=ready]");
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await verifier.setOffline(true);
    try {
      await page.reload();
      await page.waitForSelector("body[data-state=ready]", { timeout: 30_000 });
      await page.setInputFiles("#file", certificateFile);
      await page.waitForSelector("body[data-state=loaded]", { timeout: 30_000 });
      expect(await page.$eval(".badge", (el) => (el as HTMLElement).dataset.verdict)).to.equal("unverifiable");
      expect(await page.textContent(".badge")).to.include("无法验证");
      expect(await page.textContent(".cert__type")).to.include("营业执照");
      await page.check("#reveal-company_name");
      await page.click("#create");
      // Not checked just now (无法验证): the wallet asks before it makes a link; going ahead, the service is out of reach too.
      await page.getByRole("dialog", { name: "暂时无法核验这张证照，仍要创建分享链接吗？" }).getByRole("button", { name: "仍然创建" }).click();
      await page.waitForFunction(() => document.querySelector("#share-status")?.textContent?.includes("无法连接服务"));
    } finally {
      await verifier.setOffline(false);
    }
    // Offline, the browser logs the failed requests; and the SDK's verify (sdk/verify/verify.ts,
    // readChain) currently leaves one rejected promise unhandled when the chain is unreachable,
    // which Chromium reports as "pageerror: Failed to fetch". Reported; tolerated here only.
    expect(problems.filter((p) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED|^pageerror: Failed to fetch$/.test(p))).to.deep.equal([]);
  });

  it("pages send a strict Content-Security-Policy and load nothing from elsewhere", async function () {
    for (const url of ["/wallet", "/verify", "/s/AAAAAAAAAAAAAAAAAAAAAA"]) {
      const response = await fetch(`${stack.baseUrl}${url}`);
      expect(response.status).to.equal(200);
      const csp = response.headers.get("content-security-policy")!;
      expect(csp).to.include("default-src 'self'").and.include("script-src 'self'").and.include("frame-ancestors 'none'");
      expect(csp).to.not.include("unsafe-inline").and.not.include("unsafe-eval");
      const html = await response.text();
      expect(html).to.not.match(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline scripts
      expect(html).to.not.match(/\sstyle=|\son[a-z]+=/i); // no inline styles or handlers
      expect(html).to.not.match(/(src|href)="(https?:)?\/\//); // nothing from another origin
    }
  });
});
