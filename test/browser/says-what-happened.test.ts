import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createShare, findTypeById, presentCredential, shareLinkOf, type Envelope } from "@certchain/sdk";
import { replaceDisclosure } from "../support/tamper";
import { ARTIFACTS, PHONE, checkAccessibility, sharedChromium, watch } from "./chromium";
import { issueAnchored, sharedShareStack, type ShareStack } from "./stack";

// Issue 22, points 2 and 3, at 360×740: the share page's closing note says what actually happened
// to the link's certificate, and the wallet does not hand over (share or print) a certificate it
// shows as not valid; when the chain cannot be reached it asks first.

const VERIFIED = { zh: "对照区块链记录完成验证", en: "was decrypted and verified in this browser" };

describe("browser: the pages say what happened, and never hand over what they show as not valid (360×740)", function () {
  this.timeout(300_000);
  let stack: ShareStack;
  let browser: Browser;
  let workDir: string;
  let context: BrowserContext;
  let link: string;
  const example = () => structuredClone(findTypeById("business-licence")!.schema.examples[0]) as Record<string, unknown>;

  before(async function () {
    ({ browser } = await sharedChromium(this));
    workDir = mkdtempSync(path.join(tmpdir(), "certchain-honest-"));
    stack = await sharedShareStack();
    const { envelope } = await issueAnchored(stack, "business-licence", example());
    const { ciphertext, key } = await createShare(presentCredential(envelope, ["company_name"]));
    const created = await fetch(`${stack.baseUrl}/v1/shares`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ciphertext, expiresAt: new Date(Date.now() + 86_400_000).toISOString() }) });
    link = shareLinkOf(stack.baseUrl, ((await created.json()) as { id: string }).id, key);
  });
  after(async function () {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });
  beforeEach(async function () {
    context = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
  });
  afterEach(async function () {
    await context?.close();
  });

  describe("the share page's closing note (point 2)", function () {
    /** The verdict's reason code and the closing note, in zh-CN and then (switched) in English. */
    async function open(page: Page, url: string): Promise<{ reason: string; zh: string; en: string }> {
      await page.goto("about:blank");
      await page.goto(url);
      await page.waitForSelector("body[data-state=done]", { timeout: 30_000 });
      const reason = (await page.getAttribute(".verdict", "data-reason")) ?? "";
      const zh = (await page.textContent("#about"))!;
      await page.click("#lang-toggle");
      const en = (await page.textContent("#about"))!;
      await page.click("#lang-toggle");
      return { reason, zh, en };
    }

    it("a valid link: decrypted and verified in this browser", async function () {
      const page = await context.newPage();
      const problems = watch(page);
      const note = await open(page, link);
      expect(note.reason).to.equal("");
      expect(note.zh).to.include(VERIFIED.zh);
      expect(note.en).to.include(VERIFIED.en);
      expect(problems).to.deep.equal([]);
    });

    it("a wrong key: the verdict says it cannot be decrypted, and so does the note (never 'decrypted and verified')", async function () {
      const page = await context.newPage();
      const problems = watch(page);
      const [base, key] = link.split("#");
      const note = await open(page, `${base}#${(key[0] === "A" ? "B" : "A") + key.slice(1)}`);
      expect(note.reason).to.equal("SHARE_DECRYPT_FAILED");
      expect(note.zh).to.include("密钥解不开这份证照").and.include("没有解密，也没有验证任何内容").and.not.include(VERIFIED.zh);
      expect(note.en).to.include("did not open the certificate").and.include("nothing was decrypted or verified").and.not.include(VERIFIED.en);
      await page.screenshot({ path: path.join(ARTIFACTS, "honest-share-wrong-key-zh-360x740.png"), fullPage: true });
      await checkAccessibility(page, "share page (wrong key)");
      expect(problems).to.deep.equal([]);
    });

    it("a link that leads nowhere: nothing was opened, decrypted or verified", async function () {
      const page = await context.newPage();
      const problems = watch(page);
      const note = await open(page, `${stack.baseUrl}/s/AAAAAAAAAAAAAAAAAAAAAA#${"A".repeat(43)}`);
      expect(note.reason).to.equal("SHARE_NOT_FOUND");
      expect(note.zh).to.include("这个链接没有打开任何证照").and.not.include(VERIFIED.zh);
      expect(note.en).to.include("opened no certificate").and.not.include(VERIFIED.en);
      // The browser logs the 404 itself.
      expect(problems.filter((p) => !/Failed to load resource/.test(p))).to.deep.equal([]);
    });

    it("the chain out of reach: decrypted here, but not checked", async function () {
      const page = await context.newPage();
      await page.route("**/rpc", (route) => route.abort());
      const note = await open(page, link);
      expect(await page.getAttribute(".verdict", "data-verdict")).to.equal("unverifiable");
      expect(note.zh).to.include("已在本浏览器中解密，但未能对照区块链完成验证").and.not.include(VERIFIED.zh);
      expect(note.en).to.include("could not be checked against the blockchain").and.not.include(VERIFIED.en);
    });
  });

  describe("the wallet hands over only what it shows as valid (point 3)", function () {
    /** Opens `file` in a fresh wallet, ticks the company name if offered; every share upload is recorded. */
    async function walletWith(file: string, setUp?: (page: Page) => Promise<void>): Promise<{ page: Page; uploads: string[]; problems: string[] }> {
      const page = await context.newPage();
      const problems = watch(page);
      await setUp?.(page);
      const uploads: string[] = [];
      page.on("request", (request) => {
        if (request.method() === "POST" && request.url().endsWith("/v1/shares")) uploads.push(request.url());
      });
      await page.addInitScript(() => {
        window.print = () => undefined;
      });
      await page.goto(`${stack.baseUrl}/wallet`);
      await page.waitForSelector("body[data-state=ready]");
      await page.setInputFiles("#file", file);
      await page.waitForSelector("body[data-state=loaded]", { timeout: 30_000 });
      // An altered file offers nothing to tick (its claims cannot be trusted): the holder can still press the buttons.
      if (await page.$("#reveal-company_name")) await page.check("#reveal-company_name");
      return { page, uploads, problems };
    }

    const fileOf = (name: string, envelope: Envelope) => {
      const file = path.join(workDir, name);
      writeFileSync(file, JSON.stringify(envelope));
      return file;
    };

    it("a certificate shown as ✕ 无效 (altered after signing): sharing is refused like printing, nothing is uploaded", async function () {
      const { envelope } = await issueAnchored(stack, "business-licence", example());
      const file = fileOf("tampered.json", replaceDisclosure(envelope, 0, ([salt, name]) => [salt, name, "另一家公司"]));
      const { page, uploads, problems } = await walletWith(file);
      expect(await page.getAttribute("#cert-section .badge", "data-verdict")).to.equal("invalid");
      expect(await page.textContent("#cert-section .badge")).to.include("无效");
      await page.click("#create");
      await page.waitForFunction(() => document.querySelector("#share-status")?.textContent?.includes("不能分享"));
      expect(await page.textContent("#share-status")).to.include("不能分享：这张证照目前核验结果为“无效”").and.include("可能已被篡改");
      expect(await page.isHidden("#share-result")).to.equal(true);
      await page.click("#print");
      await page.waitForFunction(() => document.querySelector("#print-status")?.textContent?.includes("不能打印"));
      expect(await page.textContent("#print-status")).to.include("不能打印：这张证照目前核验结果为“无效”");
      expect(uploads).to.deep.equal([]);
      await page.screenshot({ path: path.join(ARTIFACTS, "honest-wallet-invalid-no-share-zh-360x740.png"), fullPage: true });
      await checkAccessibility(page, "wallet (invalid, sharing refused)");
      expect(problems).to.deep.equal([]);
    });

    it("a revoked certificate: sharing is refused with the status in words", async function () {
      const { id, envelope } = await issueAnchored(stack, "business-licence", example());
      expect((await stack.api("POST", `/v1/certificates/${id}/revoke`, { reason: 1 })).status).to.equal(200);
      const { page, uploads, problems } = await walletWith(fileOf("revoked.json", envelope));
      expect(await page.getAttribute("#cert-section .badge", "data-verdict")).to.equal("revoked");
      await page.click("#create");
      await page.waitForFunction(() => document.querySelector("#share-status")?.textContent?.includes("不能分享"));
      expect(await page.textContent("#share-status")).to.include("“已撤销”").and.include("发证机关已撤销此证照");
      expect(uploads).to.deep.equal([]);
      expect(problems).to.deep.equal([]);
    });

    it("the chain out of reach (无法验证): the wallet asks first; Cancel makes nothing, going ahead makes the link", async function () {
      const { envelope } = await issueAnchored(stack, "business-licence", example());
      const { page, uploads } = await walletWith(fileOf("unchecked.json", envelope), async (p) => void (await p.route("**/rpc", (route) => route.abort())));
      expect(await page.getAttribute("#cert-section .badge", "data-verdict")).to.equal("unverifiable");
      const dialog = page.getByRole("dialog", { name: "暂时无法核验这张证照，仍要创建分享链接吗？" });
      await page.click("#create");
      await dialog.waitFor();
      expect(await dialog.textContent()).to.include("暂时无法连接区块链").and.include("对方打开链接时会自己对照区块链核验");
      await page.screenshot({ path: path.join(ARTIFACTS, "honest-wallet-unchecked-ask-zh-360x740.png") });
      await dialog.getByRole("button", { name: "取消" }).click();
      await page.waitForFunction(() => document.querySelector("#share-status")?.textContent?.includes("没有创建分享链接"));
      expect(uploads).to.deep.equal([]);

      await page.click("#create");
      await dialog.getByRole("button", { name: "仍然创建" }).click();
      await page.waitForSelector("#share-result:not([hidden])", { timeout: 30_000 });
      expect(await page.inputValue("#share-link")).to.match(new RegExp(`^${stack.baseUrl}/s/`));
      expect(uploads).to.have.length(1);
    });
  });
});
