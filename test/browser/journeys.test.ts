import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createShare, findTypeById, presentCredential, shareLinkOf, verify, type Envelope } from "@certchain/sdk";
import { replaceDisclosure } from "../support/tamper";
import { ARTIFACTS, PHONE, axeViolations, sharedChromium, watch } from "./chromium";
import { sharedShareStack, type ShareStack } from "./stack";

const COMPANY = "上海青禾数字科技有限公司";

/** axe-core on the page as it is now: no violations of any rule axe runs by default (WCAG 2.x A/AA and best practices). */
async function expectNoAxeViolations(page: Page, label: string) {
  expect(await axeViolations(page), `axe on ${label}`).to.deep.equal([]);
}

/**
 * Sets the browser's default font size (Settings → Appearance → Font size) for the page's next
 * loads. The CDP session stays open: the setting lasts as long as it does.
 */
async function setBrowserFontSize(page: Page, px: number) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Page.enable");
  await cdp.send("Page.setFontSizes", { fontSizes: { standard: px, fixed: Math.round(px * 0.8125) } });
}

/** Elements and text reaching past the right edge of the screen (what makes a page scroll sideways). */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const edge = document.documentElement.clientWidth + 0.5;
    const found = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > edge && !el.closest("[hidden]"))
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}.${el.className} → ${Math.round(el.getBoundingClientRect().right)}px`);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(node);
      const right = Math.max(0, ...[...range.getClientRects()].map((r) => r.right));
      if (right > edge) found.push(`text "${node.textContent?.trim().slice(0, 30)}" → ${Math.round(right)}px`);
    }
    return found;
  });
}

/**
 * Whether any word of the element's text is split across two lines: each word (a run without
 * spaces; a Chinese verdict is one word) must lie on one line box.
 */
async function brokenWords(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (elements) =>
    elements.flatMap((element) => {
      const broken: string[] = [];
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? "";
        for (const match of text.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(node, match.index!);
          range.setEnd(node, match.index! + match[0].length);
          const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (tops.size > 1) broken.push(match[0]);
        }
      }
      return broken;
    }),
  );
}

const verdictOf = async (page: Page) => {
  await page.waitForSelector("body[data-state=done]", { timeout: 30_000 });
  return page.$eval(".verdict", (el) => ({ verdict: (el as HTMLElement).dataset.verdict, word: el.querySelector(".verdict__word")?.textContent ?? "", text: el.textContent ?? "" }));
};

describe("browser: journeys that work the first time (pending certificates, every language, older readers)", function () {
  this.timeout(600_000);
  let stack: ShareStack;
  let browser: Browser;
  let workDir: string;
  let pending: { id: string; envelope: Envelope };
  let pendingFile: string;
  let holder: BrowserContext;
  let wallet: Page;
  let walletProblems: string[];
  let link: string;
  const registries = () => [{ chainId: stack.chain.chainId, address: stack.chain.deployment.address, rpcUrl: stack.chain.rpcUrl }];
  // The shared stack anchors only when a test says so: "pending" lasts as long as it must.
  const anchorNow = () => stack.anchorNow();

  before(async function () {
    ({ browser } = await sharedChromium(this));
    workDir = mkdtempSync(path.join(tmpdir(), "certchain-journeys-"));
    stack = await sharedShareStack();
    const issued = await stack.api("POST", "/v1/certificates", { type: "business-licence", claims: findTypeById("business-licence")!.schema.examples[0] });
    expect(issued.status).to.equal(201);
    pending = issued.body;
    expect(pending.envelope.anchor.status).to.equal("pending");
    pendingFile = path.join(workDir, "营业执照-待上链.json");
    writeFileSync(pendingFile, JSON.stringify(pending.envelope, null, 2));
    holder = await browser.newContext({ viewport: PHONE, locale: "zh-CN", acceptDownloads: true });
    wallet = await holder.newPage();
    walletProblems = watch(wallet);
  });

  after(async function () {
    await holder?.close().catch(() => undefined);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("the wallet refuses a link for a still-pending certificate and says why; nothing is uploaded", async function () {
    const uploads: string[] = [];
    wallet.on("request", (request) => {
      if (request.method() === "POST" && request.url().endsWith("/v1/shares")) uploads.push(request.url());
    });
    await wallet.goto(`${stack.baseUrl}/wallet`);
    await wallet.waitForSelector("body[data-state=ready]");
    await expectNoAxeViolations(wallet, "wallet (empty, zh-CN)");
    await wallet.setInputFiles("#file", pendingFile);
    await wallet.waitForSelector("body[data-state=loaded]", { timeout: 30_000 });
    expect(await wallet.$eval("#cert-section .badge", (el) => (el as HTMLElement).dataset.verdict)).to.equal("pending");
    expect(await wallet.textContent("#cert-section .badge")).to.include("待上链");
    await wallet.check("#reveal-company_name");
    await wallet.click("#create");
    await wallet.waitForFunction(() => document.querySelector("#share-status")?.textContent?.includes("暂时不能创建分享链接"));
    expect(await wallet.textContent("#share-status")).to.include("还没有记录到区块链上");
    expect(await wallet.isHidden("#share-result")).to.equal(true);
    expect(uploads).to.deep.equal([]);
    await wallet.screenshot({ path: path.join(ARTIFACTS, "journeys-wallet-pending-zh-360x740.png"), fullPage: true });
    await expectNoAxeViolations(wallet, "wallet (pending certificate)");
  });

  it("once anchored, the wallet still has it after a reload, upgrades it, offers the anchored file, and the link is made (focus on the link, result announced)", async function () {
    await anchorNow();
    await wallet.reload();
    await wallet.waitForSelector("body[data-saved=checked]", { timeout: 30_000 });
    // Kept across the reload, with its current status.
    const item = wallet.locator(`.saved-cert[data-leaf="${pending.envelope.credential ? "" : ""}"]`).or(wallet.locator(".saved-cert")).first();
    expect(await item.locator(".tag").getAttribute("data-verdict")).to.equal("valid");
    expect(await item.textContent()).to.include("营业执照").and.include(COMPANY);
    await wallet.screenshot({ path: path.join(ARTIFACTS, "journeys-wallet-saved-zh-360x740.png"), fullPage: true });
    await expectNoAxeViolations(wallet, "wallet (saved certificates)");

    await item.getByRole("button", { name: /打开/ }).click();
    await wallet.waitForSelector("body[data-state=loaded]", { timeout: 30_000 });
    expect(await wallet.$eval("#cert-section .badge", (el) => (el as HTMLElement).dataset.verdict)).to.equal("valid");
    expect(await wallet.textContent("#upgraded")).to.include("已经记录到区块链上");
    const [download] = await Promise.all([wallet.waitForEvent("download"), wallet.click("#save-anchored")]);
    const saved = path.join(workDir, download.suggestedFilename());
    await download.saveAs(saved);
    expect(download.suggestedFilename()).to.match(/^营业执照-1\.2\.156\.3005\.2\.YYZZ\..+\.json$/);
    const anchored = JSON.parse(readFileSync(saved, "utf8")) as Envelope;
    expect(anchored.anchor.status).to.equal("anchored");
    expect(anchored.credential).to.equal(pending.envelope.credential);
    // The saved file verifies on its own, against the chain, with no service to ask.
    expect((await verify(anchored, { registries: registries() })).verdict).to.equal("valid");
    await expectNoAxeViolations(wallet, "wallet (upgraded, save offered)");

    await wallet.check("#reveal-company_name");
    await wallet.click("#create");
    await wallet.waitForSelector("#share-result:not([hidden])", { timeout: 30_000 });
    link = await wallet.inputValue("#share-link");
    await wallet.waitForFunction(() => document.activeElement?.id === "share-link");
    const status = wallet.locator("#share-status");
    expect(await status.getAttribute("role")).to.equal("status");
    expect(await status.textContent()).to.include("分享链接已创建");
    await wallet.screenshot({ path: path.join(ARTIFACTS, "journeys-wallet-link-zh-360x740.png"), fullPage: true });
    await expectNoAxeViolations(wallet, "wallet (link created)");
    expect(walletProblems).to.deep.equal([]);
  });

  it("withdrawing asks first in an accessible dialog: Esc keeps the link, Withdraw ends it", async function () {
    await wallet.click("#withdraw");
    const dialog = wallet.getByRole("dialog", { name: "撤回这个分享链接？" });
    await dialog.waitFor();
    await wallet.waitForFunction(() => document.activeElement?.id === "confirm-cancel");
    await expectNoAxeViolations(wallet, "wallet (withdraw dialog)");
    await wallet.screenshot({ path: path.join(ARTIFACTS, "journeys-wallet-withdraw-dialog-zh-360x740.png") });
    await wallet.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    // The page answers the dialog's close event: wait for it, not for a fixed time.
    await wallet.waitForFunction(() => document.querySelector("#share-status")?.textContent?.includes("没有撤回"));
    await wallet.waitForFunction(() => document.activeElement?.id === "withdraw");
    const id = new URL(link).pathname.split("/").pop()!;
    expect((await fetch(`${stack.baseUrl}/v1/shares/${id}`)).status).to.equal(200);

    await wallet.click("#withdraw");
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "撤回" }).click();
    await wallet.waitForFunction(() => document.querySelector("#share-status")?.textContent?.includes("已撤回"));
    expect((await fetch(`${stack.baseUrl}/v1/shares/${id}`)).status).to.equal(410);
  });

  it("an old link made while the certificate was pending (no service named) turns valid on the share page once anchored", async function () {
    const issued = await stack.api("POST", "/v1/certificates", { type: "business-licence", claims: { ...findTypeById("business-licence")!.schema.examples[0], company_name: "上海青禾第二分公司" } });
    const { service: _service, ...oldAnchor } = issued.body.envelope.anchor;
    const old = presentCredential({ ...issued.body.envelope, anchor: oldAnchor }, ["company_name"]);
    const { ciphertext, key } = await createShare(old);
    const created = await fetch(`${stack.baseUrl}/v1/shares`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ciphertext, expiresAt: new Date(Date.now() + 86_400_000).toISOString() }) });
    const oldLink = shareLinkOf(stack.baseUrl, ((await created.json()) as { id: string }).id, key);

    const context = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
    try {
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(oldLink);
      let verdict = await verdictOf(page);
      expect(verdict.verdict).to.equal("pending");
      expect(verdict.word).to.equal("待上链");
      await page.screenshot({ path: path.join(ARTIFACTS, "journeys-share-pending-zh-360x740.png") });
      await expectNoAxeViolations(page, "share page (pending)");
      await anchorNow();
      await page.reload();
      verdict = await verdictOf(page);
      expect(verdict.verdict).to.equal("valid");
      expect(verdict.word).to.equal("有效");
      expect(await page.$$eval("[data-testid=revealed] dd", (els) => els.map((el) => el.textContent))).to.deep.equal(["上海青禾第二分公司"]);
      expect(problems).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("pages follow the browser's languages; the switch overrides them and is remembered", async function () {
    const english = await browser.newContext({ viewport: PHONE, locale: "en-GB" });
    try {
      const page = await english.newPage();
      await page.goto(`${stack.baseUrl}/wallet`);
      await page.waitForSelector("body[data-state=ready]");
      expect(await page.textContent("h1")).to.equal("My certificates");
      expect(await page.getAttribute("html", "lang")).to.equal("en");
      expect(await page.title()).to.equal("My certificates · certchain");
      await page.screenshot({ path: path.join(ARTIFACTS, "journeys-wallet-en-360x740.png") });
      await expectNoAxeViolations(page, "wallet (en)");
      await page.click("#lang-toggle");
      expect(await page.textContent("h1")).to.equal("我的电子证照");
      await page.reload();
      await page.waitForSelector("body[data-state=ready]");
      expect(await page.textContent("h1")).to.equal("我的电子证照");
      expect(await page.getAttribute("html", "lang")).to.equal("zh-CN");
    } finally {
      await english.close();
    }
  });

  it("text grows with the browser's font size (18 px at 16, larger at 24 and 32), nothing scrolls sideways, and the verdict word never breaks", async function () {
    const context = await browser.newContext({ viewport: PHONE, locale: "en-US" });
    try {
      const page = await context.newPage();
      const issued = await stack.api("POST", "/v1/certificates", { type: "business-licence", claims: findTypeById("business-licence")!.schema.examples[0] });
      await anchorNow();
      const envelope = (await stack.api("GET", `/v1/certificates/${issued.body.id}`)).body.envelope as Envelope;
      const { ciphertext, key } = await createShare(presentCredential(envelope, ["company_name", "legal_representative"]));
      const created = await fetch(`${stack.baseUrl}/v1/shares`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ciphertext, expiresAt: new Date(Date.now() + 86_400_000).toISOString() }) });
      const shareLink = shareLinkOf(stack.baseUrl, ((await created.json()) as { id: string }).id, key);
      const sizes: Record<number, number> = {};
      for (const px of [16, 24, 32]) {
        await setBrowserFontSize(page, px);
        for (const lang of ["en", "zh-CN"]) {
          await page.goto(`${shareLink.split("#")[0]}?lang=${lang}#${shareLink.split("#")[1]}`);
          const verdict = await verdictOf(page);
          expect(verdict.verdict).to.equal("valid");
          const measured = await page.evaluate(() => ({
            body: parseFloat(getComputedStyle(document.body).fontSize),
            verdict: parseFloat(getComputedStyle(document.querySelector(".verdict__title")!).fontSize),
            scrollWidth: document.documentElement.scrollWidth,
          }));
          sizes[px] = measured.body;
          expect(measured.scrollWidth, `${px}px ${lang}: sideways scroll ${JSON.stringify(await overflowing(page))}`).to.be.at.most(PHONE.width);
          expect(await brokenWords(page, ".verdict__word"), `${px}px ${lang}: verdict word broken`).to.deep.equal([]);
          if (px === 24) {
            await page.screenshot({ path: path.join(ARTIFACTS, `journeys-share-24px-${lang}-360x740.png`) });
            await expectNoAxeViolations(page, `share page at 24 px (${lang})`);
          }
          // A longer verdict: a link that no longer exists (链接已失效 / Link no longer available).
          await page.goto(`${stack.baseUrl}/s/AAAAAAAAAAAAAAAAAAAAAA?lang=${lang}#${"A".repeat(43)}`);
          expect((await verdictOf(page)).verdict).to.equal("invalid");
          expect(await brokenWords(page, ".verdict__word"), `${px}px ${lang}: failure title broken`).to.deep.equal([]);
          expect(await page.evaluate(() => document.documentElement.scrollWidth), `${px}px ${lang}: sideways scroll (link gone)`).to.be.at.most(PHONE.width);
        }
        await page.goto(`${stack.baseUrl}/wallet`);
        await page.waitForSelector("body[data-state=ready]");
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `${px}px wallet: sideways scroll ${JSON.stringify(await overflowing(page))}`).to.be.at.most(PHONE.width);
        if (px === 24) await page.screenshot({ path: path.join(ARTIFACTS, "journeys-wallet-24px-en-360x740.png"), fullPage: true });
      }
      expect(sizes[16]).to.equal(18);
      expect(sizes[24]).to.be.above(sizes[16]);
      expect(sizes[32]).to.be.above(sizes[24]);
    } finally {
      await context.close();
    }
  });

  it("the wallet keeps a revoked certificate visible, marked revoked", async function () {
    const revoked = await stack.api("POST", `/v1/certificates/${pending.id}/revoke`, { reason: 1 });
    expect(revoked.status, JSON.stringify(revoked.body)).to.equal(200);
    await wallet.reload();
    await wallet.waitForSelector("body[data-saved=checked]", { timeout: 30_000 });
    const tags = await wallet.$$eval(".saved-cert .tag", (els) => els.map((el) => ({ verdict: (el as HTMLElement).dataset.verdict, text: el.textContent })));
    expect(tags).to.have.length(1);
    expect(tags[0].verdict).to.equal("revoked");
    expect(tags[0].text).to.include("已撤销");
    await wallet.screenshot({ path: path.join(ARTIFACTS, "journeys-wallet-revoked-zh-360x740.png"), fullPage: true });
    await expectNoAxeViolations(wallet, "wallet (revoked certificate)");
  });

  it("a tampered certificate is described as tampered, in Chinese and in English (never as 'nothing revealed')", async function () {
    const envelope = (await stack.api("GET", `/v1/certificates/${pending.id}`)).body.envelope as Envelope;
    const tamperedFile = path.join(workDir, "tampered.json");
    writeFileSync(tamperedFile, JSON.stringify(replaceDisclosure(envelope, 0, ([salt, name]) => [salt, name, "另一家公司"])));
    for (const locale of ["zh-CN", "en-US"]) {
      const context = await browser.newContext({ viewport: PHONE, locale });
      try {
        const page = await context.newPage();
        const problems = watch(page);
        await page.goto(`${stack.baseUrl}/verify`);
        await page.waitForSelector("body[data-state=ready]");
        await expectNoAxeViolations(page, `verify page (empty, ${locale})`);
        await page.setInputFiles("#file", tamperedFile);
        const verdict = await verdictOf(page);
        expect(verdict.verdict).to.equal("invalid");
        const note = await page.textContent("[data-testid=tampered]");
        expect(note).to.include(locale === "zh-CN" ? "证照内容已被改动" : "has been altered");
        const body = (await page.textContent("body"))!;
        expect(body).to.not.include("没有展示任何个人信息").and.not.include("shows no personal details");
        expect(body).to.not.include("另一家公司");
        const tag = locale === "zh-CN" ? "zh" : "en";
        await page.screenshot({ path: path.join(ARTIFACTS, `journeys-verify-tampered-${tag}-360x740.png`), fullPage: true });
        await expectNoAxeViolations(page, `verify page (tampered, ${locale})`);
        expect(problems).to.deep.equal([]);
      } finally {
        await context.close();
      }
    }
  });
});
