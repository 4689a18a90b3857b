import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import { createShare, findTypeById, presentCredential, shareLinkOf, type Envelope } from "@certchain/sdk";
import { ARTIFACTS, PHONE, sharedChromium, watch } from "./chromium";
import { issueAnchored, sharedShareStack, type ShareStack } from "./stack";

// Issue 22, point 8: at 360×740 with the browser's default font at 24 px, long codes break only
// between their groups (or not at all), and the header keeps its language button on one row.

/**
 * Sets the browser's default font size (Settings → Appearance → Font size) for the page's next
 * loads. The setting lasts as long as the CDP session: the caller keeps it.
 */
async function setBrowserFontSize(page: Page, px: number): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Page.enable");
  await cdp.send("Page.setFontSizes", { fontSizes: { standard: px, fixed: Math.round(px * 0.8125) } });
  return cdp;
}

/**
 * Where `text` (inside an element matching `selector`, across its text nodes and <wbr>s) starts a
 * new line: character offsets into `text`. Empty when it lies on one line.
 */
async function lineStarts(page: Page, selector: string, text: string): Promise<number[] | undefined> {
  return page.$$eval(
    selector,
    (elements, wanted) => {
      for (const element of elements) {
        const chars: { node: Text; offset: number }[] = [];
        const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
          for (let offset = 0; offset < node.data.length; offset++) chars.push({ node, offset });
        }
        const all = chars.map(({ node, offset }) => node.data[offset]).join("");
        const at = all.indexOf(wanted);
        if (at === -1) continue;
        const topOf = (i: number) => {
          const range = document.createRange();
          range.setStart(chars[i].node, chars[i].offset);
          range.setEnd(chars[i].node, chars[i].offset + 1);
          return Math.round(range.getBoundingClientRect().top);
        };
        const starts: number[] = [];
        for (let i = 1; i < wanted.length; i++) if (topOf(at + i) > topOf(at + i - 1)) starts.push(i);
        return starts;
      }
      return undefined;
    },
    text,
  );
}

/** The header's parts (brand, navigation, language button) as boxes; one row when they all overlap vertically. */
async function headerRow(page: Page): Promise<{ oneRow: boolean; boxes: string[] }> {
  return page.$eval(".topbar", (bar) => {
    const boxes = [...bar.children].filter((el) => (el as HTMLElement).offsetParent !== null).map((el) => ({ el, r: el.getBoundingClientRect() }));
    const oneRow = Math.max(...boxes.map((b) => b.r.top)) < Math.min(...boxes.map((b) => b.r.bottom));
    return { oneRow, boxes: boxes.map(({ el, r }) => `${el.className || el.tagName}: ${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}×${Math.round(r.height)}`) };
  });
}

describe("browser: large text on a phone (360×740, default font 24 px): codes break between groups, the header stays on one row", function () {
  this.timeout(300_000);
  let stack: ShareStack;
  let browser: Browser;
  let workDir: string;
  let certificateFile: string;
  let envelope: Envelope;
  let shareLink: string;
  const creditCode = String((findTypeById("business-licence")!.schema.examples[0] as Record<string, unknown>).unified_social_credit_code);

  before(async function () {
    ({ browser } = await sharedChromium(this));
    workDir = mkdtempSync(path.join(tmpdir(), "certchain-large-text-"));
    stack = await sharedShareStack();
    envelope = (await issueAnchored(stack, "business-licence", findTypeById("business-licence")!.schema.examples[0] as Record<string, unknown>)).envelope;
    certificateFile = path.join(workDir, "营业执照.json");
    writeFileSync(certificateFile, JSON.stringify(envelope));
    const { ciphertext, key } = await createShare(presentCredential(envelope, ["company_name", "unified_social_credit_code"]));
    const created = await fetch(`${stack.baseUrl}/v1/shares`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ciphertext, expiresAt: new Date(Date.now() + 86_400_000).toISOString() }) });
    shareLink = shareLinkOf(stack.baseUrl, ((await created.json()) as { id: string }).id, key);
  });

  after(async function () {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  for (const locale of ["zh-CN", "en-US"]) {
    describe(locale, function () {
      let context: BrowserContext;
      let page: Page;
      let problems: string[];
      let fontSetting: CDPSession;
      const tag = locale === "zh-CN" ? "zh" : "en";
      beforeEach(async function () {
        context = await browser.newContext({ viewport: PHONE, locale });
        page = await context.newPage();
        problems = watch(page);
        fontSetting = await setBrowserFontSize(page, 24);
      });
      afterEach(async function () {
        expect(problems).to.deep.equal([]);
        await fontSetting.detach().catch(() => undefined);
        await context.close();
      });

      // Last in a test: a full-page screenshot resizes the page, which drops the font-size setting.
      const screenshot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `large-text-${name}-${tag}-360x740.png`), fullPage: true });

      /** No sideways scrolling, the header on one row, and the text really is large. */
      async function checkPage(label: string) {
        const measured = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, body: parseFloat(getComputedStyle(document.body).fontSize) }));
        expect(measured.body, `${label}: base font at 24 px`).to.equal(27);
        expect(measured.scrollWidth, `${label}: sideways scroll`).to.be.at.most(PHONE.width);
        const header = await headerRow(page);
        expect(header.oneRow, `${label}: header on one row: ${header.boxes.join("; ")}`).to.equal(true);
      }

      /** The credit code on one line, or on two split exactly between 91310115 and MA1H7Q2K3R. */
      async function checkCreditCode(selector: string, label: string) {
        const starts = await lineStarts(page, selector, creditCode);
        expect(starts, `${label}: ${selector} shows the credit code`).to.not.equal(undefined);
        expect(starts!.filter((i) => i !== 8), `${label}: the credit code breaks only between its groups (8 + 10)`).to.deep.equal([]);
      }

      /** The certificate number breaks only after a dot or between the credit code's groups. */
      async function checkNumber(selector: string, label: string) {
        const number = await page.$eval(selector, (el) => el.textContent ?? "");
        expect(number).to.match(/^1\.2\.156\.3005\.2\./);
        const starts = (await lineStarts(page, selector, number))!;
        // After a dot, or inside the issuer's credit code (its own groups: 8 + 10).
        const allowed = new Set<number>();
        let at = 0;
        for (const segment of number.split(".")) {
          if (at > 0) allowed.add(at);
          if (/^[0-9A-Z]{2}\d{6}[0-9A-Z]{10}$/.test(segment)) allowed.add(at + 8);
          at += segment.length + 1;
        }
        expect(starts.filter((i) => !allowed.has(i)), `${label}: the number ${number} breaks mid-group at ${starts}`).to.deep.equal([]);
      }

      it("the wallet: the certificate's number, its credit code and the saved list", async function () {
        await page.goto(`${stack.baseUrl}/wallet`);
        await page.waitForSelector("body[data-state=ready]");
        await checkPage("wallet (empty)");
        await page.setInputFiles("#file", certificateFile);
        await page.waitForSelector("body[data-state=loaded]", { timeout: 30_000 });
        await checkPage("wallet (certificate)");
        await checkCreditCode("label[for=reveal-unified_social_credit_code] .field__value", "wallet field");
        await checkNumber("#cert-section .fact-number", "wallet facts");
        await page.reload();
        await page.waitForSelector("body[data-saved=checked]", { timeout: 30_000 });
        await checkNumber(".saved-cert__number", "wallet saved list");
        await screenshot("wallet");
      });

      it("the share page: the revealed credit code and the number", async function () {
        await page.goto(shareLink);
        await page.waitForSelector("body[data-state=done]", { timeout: 30_000 });
        expect(await page.getAttribute(".verdict", "data-verdict")).to.equal("valid");
        await checkPage("share page");
        await checkCreditCode("[data-testid=revealed] dd", "share page");
        await checkNumber(".fact-number", "share page");
        await screenshot("share");
      });

      it("the verify page: the header, and the checked file's codes", async function () {
        await page.goto(`${stack.baseUrl}/verify`);
        await page.waitForSelector("body[data-state=ready]");
        await checkPage("verify page (empty)");
        await page.setInputFiles("#file", certificateFile);
        await page.waitForSelector("body[data-state=done]", { timeout: 30_000 });
        await checkPage("verify page (result)");
        await checkCreditCode("[data-testid=revealed] dd", "verify page");
        await checkNumber(".fact-number", "verify page");
        await screenshot("verify");
      });
    });
  }
});
