import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import type { Browser, Page } from "playwright-core";
import { findTypeById, presentCredential, verify, type Envelope, type TrustedRegistry } from "@certchain/sdk";
import { renderCertificatePdf } from "../../scripts/lib/paper/certificate-pdf";
import { qrTextFromImage } from "../../scripts/lib/paper/read-paper";
import { paperQrOf } from "../../display/paper-qr";
import { formatTime } from "../../display/time";
import { requireTools } from "../support/tools";
import { ARTIFACTS, PHONE, axeViolations, checkAccessibility, sharedChromium, watch } from "./chromium";
import { issueAnchored, sharedShareStack, type ShareStack } from "./stack";

const run = promisify(execFile);
let pdftoppm: string;
const COMPANY = "上海青禾数字科技有限公司";
const LICENCE_FIELDS = ["company_name", "unified_social_credit_code", "legal_representative", "domicile"];

async function expectNoAxeViolations(page: Page, label: string) {
  expect(await axeViolations(page), `axe on ${label}`).to.deep.equal([]);
}

async function rasterise(pdf: string, dpi = 200): Promise<string> {
  const prefix = pdf.replace(/\.pdf$/, "");
  await run(pdftoppm, ["-r", String(dpi), "-f", "1", "-l", "1", "-singlefile", "-png", pdf, prefix]);
  return `${prefix}.png`;
}

/**
 * A Y4M video (what Chromium's fake camera plays, looping) of the page's QR code filling a
 * 640×640 frame, as a phone held over the printout would see it.
 */
function cameraVideoOf(pagePng: string, file: string) {
  const page = PNG.sync.read(readFileSync(pagePng));
  const code = jsQR(new Uint8ClampedArray(page.data), page.width, page.height);
  if (!code) throw new Error("no QR code on the page");
  const { topLeftCorner: tl, bottomRightCorner: br } = code.location;
  const margin = (br.x - tl.x) * 0.25;
  const x0 = tl.x - margin;
  const y0 = tl.y - margin;
  const span = br.x - tl.x + 2 * margin;
  const side = 640;
  const y = Buffer.alloc(side * side);
  const uv = Buffer.alloc((side / 2) * (side / 2), 128);
  for (let row = 0; row < side; row++) {
    for (let col = 0; col < side; col++) {
      const sx = Math.min(page.width - 1, Math.max(0, Math.round(x0 + (col * span) / side)));
      const sy = Math.min(page.height - 1, Math.max(0, Math.round(y0 + (row * span) / side)));
      const i = (sy * page.width + sx) * 4;
      y[row * side + col] = Math.round(0.299 * page.data[i] + 0.587 * page.data[i + 1] + 0.114 * page.data[i + 2]);
    }
  }
  writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${side} H${side} F10:1 Ip A1:1 C420jpeg\n`), Buffer.from("FRAME\n"), y, uv, uv]));
}

/** Issues through the API with another agency's token (the stack's `api` speaks for the market regulator). */
async function issueAnchoredBy(stack: ShareStack, agency: string, type: string): Promise<{ envelope: Envelope }> {
  const token = await stack.service.issueToken({ kind: "agency", agency, types: [type], subject: "paper-test" } as never, 3600);
  const { envelope } = await issueAnchored(stack, type, findTypeById(type)!.schema.examples[0] as Record<string, unknown>, token);
  expect(envelope.anchor.status).to.equal("anchored");
  return { envelope };
}

const verdictOf = async (page: Page) => {
  await page.waitForSelector("body[data-state=done]", { timeout: 60_000 });
  return page.$eval(".verdict", (el) => (el as HTMLElement).dataset.verdict);
};

const revealedOf = (page: Page) =>
  page.$$eval("[data-testid=revealed] > dd", (dds) => Object.fromEntries(dds.map((dd) => [(dd as HTMLElement).dataset.claim, dd.textContent])));

describe("browser: paper (verify a printout from a photo or the camera; print from the wallet)", function () {
  this.timeout(600_000);
  let stack: ShareStack;
  let browser: Browser;
  let workDir: string;
  let licence: Envelope;
  let licenceFile: string;
  const pages: Record<string, string> = {};
  let registries: TrustedRegistry[];

  /** A printout made as `certchain print` makes it; `printed` changes the text on the paper (not the QR code). */
  async function printPage(name: string, envelope: Envelope, reveal: string[], printed?: (claims: Record<string, unknown>) => Record<string, unknown>) {
    const presentation = presentCredential(envelope, reveal);
    const result = await verify(presentation, { registries });
    expect(result.verdict).to.equal("valid");
    const qr = await paperQrOf(presentation);
    const shown = printed ? { ...result, claims: printed(result.claims) } : result;
    const pdf = path.join(workDir, `${name}.pdf`);
    writeFileSync(pdf, await renderCertificatePdf({ presentation, result: shown, qr }));
    pages[name] = await rasterise(pdf);
  }

  before(async function () {
    [, pdftoppm] = requireTools(this, "chromium", "pdftoppm");
    workDir = mkdtempSync(path.join(tmpdir(), "certchain-paper-"));
    stack = await sharedShareStack();
    registries = [{ chainId: stack.chain.chainId, address: stack.chain.deployment.address, rpcUrl: stack.chain.rpcUrl }];
    licence = (await issueAnchored(stack, "business-licence", findTypeById("business-licence")!.schema.examples[0] as Record<string, unknown>)).envelope;
    licenceFile = path.join(workDir, "营业执照.json");
    writeFileSync(licenceFile, JSON.stringify(licence, null, 2));
    await printPage("licence", licence, LICENCE_FIELDS);
    const marriage = (await issueAnchoredBy(stack, "sh-mca", "marriage-certificate")).envelope;
    // Signed SM2 (国密) as in npm start: /verify below checks SM2 and SM3 from paper, in Chromium.
    expect(JSON.parse(Buffer.from(marriage.credential.split(".")[0], "base64url").toString()).alg).to.equal("SM2");
    await printPage("marriage", marriage, ["holder_name", "registration_date", "spouses", "registration_authority"]);
    // The paper's text edited (a forger's printout); its QR code is the genuine one.
    await printPage("forged-text", licence, LICENCE_FIELDS, (claims) => ({ ...claims, company_name: "上海伪造贸易有限公司" }));
    // The shared Chromium's fake camera plays this file from the first page that opens the camera.
    const chromium = await sharedChromium(this);
    cameraVideoOf(pages.licence, chromium.cameraVideo);
    browser = chromium.browser;
  });

  after(async function () {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("/verify: a photo of a printed business licence is valid, shows the signed values and says only they are attested", async function () {
    const context = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
    try {
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(`${stack.baseUrl}/verify`);
      await page.waitForSelector("body[data-state=ready]");
      await expectNoAxeViolations(page, "verify page with the paper section");
      await checkAccessibility(page, "verify page (paper section)");
      await page.setInputFiles("#photo", pages.licence);
      expect(await verdictOf(page)).to.equal("valid");
      expect(await revealedOf(page)).to.deep.equal({
        company_name: COMPANY,
        unified_social_credit_code: "91310115MA1H7Q2K3R",
        legal_representative: "陈嘉树",
        domicile: "上海市浦东新区青禾路88号3幢501室",
      });
      expect(await page.textContent("[data-testid=paper-note]")).to.include("只有下面显示的信息经过发证机关签名证明");
      expect(await page.$$eval("[data-testid=withheld] li", (items) => items.length)).to.equal(7);
      await page.screenshot({ path: path.join(ARTIFACTS, "paper-verify-photo-zh-360x740.png"), fullPage: true });
      await expectNoAxeViolations(page, "verify page (paper result)");
      await checkAccessibility(page, "verify page (paper result)");
      expect(problems).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("/verify: a photo of a printed marriage certificate is valid, each spouse's fields under their labels, the notes withheld", async function () {
    const context = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
    try {
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(`${stack.baseUrl}/verify`);
      await page.waitForSelector("body[data-state=ready]");
      await page.setInputFiles("#photo", pages.marriage);
      expect(await verdictOf(page)).to.equal("valid");
      const revealed = await revealedOf(page);
      expect(Object.keys(revealed).sort()).to.deep.equal(["holder_name", "registration_authority", "registration_date", "spouses"]);
      expect(revealed.spouses).to.include("周立恒").and.include("350102199510082624").and.not.include("id_number");
      // Each spouse's fields under their labels from the type's metadata, never raw keys.
      const spouseTerms = await page.$$eval("[data-testid=revealed] dd[data-claim=spouses] dt", (dts) => dts.map((dt) => `${(dt as HTMLElement).dataset.claim}=${dt.textContent}`));
      expect(spouseTerms).to.include.members(["spouses.0.name=姓名", "spouses.0.id_number=身份证件号码"]);
      expect(await page.$$eval("[data-testid=withheld] li", (items) => items.map((li) => li.textContent))).to.deep.equal(["备注"]);
      await page.screenshot({ path: path.join(ARTIFACTS, "paper-verify-marriage-photo-zh-360x740.png"), fullPage: true });
      await expectNoAxeViolations(page, "verify page (marriage certificate from paper)");
      await checkAccessibility(page, "verify page (marriage certificate from paper)");
      expect(problems).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("/verify: a printout whose text was edited shows the QR code's signed values, not the printed ones (in English too)", async function () {
    const context = await browser.newContext({ viewport: PHONE, locale: "en-US" });
    try {
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(`${stack.baseUrl}/verify`);
      await page.waitForSelector("body[data-state=ready]");
      await page.setInputFiles("#photo", pages["forged-text"]);
      expect(await verdictOf(page)).to.equal("valid");
      expect((await revealedOf(page)).company_name).to.equal(COMPANY);
      expect(await page.textContent("body")).to.not.include("上海伪造贸易有限公司");
      expect(await page.textContent("[data-testid=paper-note]")).to.include("Only the details shown below are attested");
      await page.screenshot({ path: path.join(ARTIFACTS, "paper-verify-edited-printout-en-360x740.png"), fullPage: true });
      expect(problems).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("/verify: scanning with the camera (Chromium's fake camera playing the printout's QR code) gives the same verdict", async function () {
    const context = await browser.newContext({ viewport: PHONE, locale: "zh-CN", permissions: ["camera"] });
    try {
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(`${stack.baseUrl}/verify`);
      await page.waitForSelector("body[data-state=ready]");
      await page.click("#scan");
      expect(await verdictOf(page)).to.equal("valid");
      expect((await revealedOf(page)).company_name).to.equal(COMPANY);
      // The camera is released once the code is read.
      expect(await page.$eval("#camera-video", (v) => (v as HTMLVideoElement).srcObject)).to.equal(null);
      expect(await page.isHidden("#camera")).to.equal(true);
      await page.screenshot({ path: path.join(ARTIFACTS, "paper-verify-camera-zh-360x740.png"), fullPage: true });
      expect(problems).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("/verify alone may use the camera: its Permissions-Policy allows it for itself; the wallet and share pages allow it nobody", async function () {
    const verifyPolicy = (await fetch(`${stack.baseUrl}/verify`)).headers.get("permissions-policy");
    expect(verifyPolicy).to.include("camera=(self)");
    for (const url of ["/wallet", "/s/AAAAAAAAAAAAAAAAAAAAAA"]) expect((await fetch(`${stack.baseUrl}${url}`)).headers.get("permissions-policy")).to.include("camera=()");
    const csp = (await fetch(`${stack.baseUrl}/verify`)).headers.get("content-security-policy")!;
    expect(csp).to.not.include("unsafe-eval").and.not.include("unsafe-inline");
  });

  it("a photo without a QR code is answered in words", async function () {
    const blank = new PNG({ width: 300, height: 300 });
    blank.data.fill(255);
    const file = path.join(workDir, "blank.png");
    writeFileSync(file, PNG.sync.write(blank));
    const context = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
    try {
      const page = await context.newPage();
      await page.goto(`${stack.baseUrl}/verify`);
      await page.waitForSelector("body[data-state=ready]");
      await page.setInputFiles("#photo", file);
      await page.waitForFunction(() => document.querySelector("#paper-status")?.textContent?.includes("没有找到"));
      expect(await page.isHidden("#result")).to.equal(true);
    } finally {
      await context.close();
    }
  });

  it("the wallet's Print: the browser's print of the ticked fields carries a QR code that verifies with only those fields; nothing is uploaded", async function () {
    const context = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
    try {
      const page = await context.newPage();
      const problems = watch(page);
      const uploads: string[] = [];
      page.on("request", (request) => {
        if (request.method() !== "GET" && !request.url().endsWith("/rpc")) uploads.push(`${request.method()} ${request.url()}`);
      });
      // The print dialog itself is the browser's; the test prints the same page to PDF instead.
      await page.addInitScript(() => {
        window.print = () => undefined;
      });
      await page.goto(`${stack.baseUrl}/wallet`);
      await page.waitForSelector("body[data-state=ready]");
      await page.setInputFiles("#file", licenceFile);
      await page.waitForSelector("body[data-state=loaded]", { timeout: 60_000 });
      for (const field of ["company_name", "legal_representative"]) await page.check(`#reveal-${field}`);
      await page.click("#print");
      await page.waitForSelector("body[data-printed=payload]", { timeout: 60_000 });
      expect(await page.textContent("#print-status")).to.include("二维码里只含勾选的 2 项信息");
      // Where to verify it (this service's page, by its address) and when the chain recorded it,
      // in the words of every other view (issue 22, points 5 and 6).
      const printView = (await page.textContent("#print-view"))!;
      expect(printView).to.include(`打开 ${stack.baseUrl}/verify 扫码`).and.include(`open ${stack.baseUrl}/verify on a phone`);
      expect(printView).to.include(formatTime((licence.anchor as { anchoredAt: string }).anchoredAt));
      await page.screenshot({ path: path.join(ARTIFACTS, "paper-wallet-print-zh-360x740.png"), fullPage: true });
      await expectNoAxeViolations(page, "wallet (print prepared)");
      await checkAccessibility(page, "wallet (print prepared)");

      const pdf = path.join(workDir, "wallet-print.pdf");
      await page.pdf({ path: pdf, format: "A4", printBackground: true });
      const png = await rasterise(pdf);
      const text = qrTextFromImage(readFileSync(png));
      expect(text).to.match(/^CC1:/);
      const result = await verify(text, { registries });
      expect(result.verdict).to.equal("valid");
      expect(result.claims).to.deep.equal({ company_name: COMPANY, legal_representative: "陈嘉树" });
      const printed = readFileSync(png);
      writeFileSync(path.join(ARTIFACTS, "paper-wallet-printout-a4.png"), printed);
      expect(uploads).to.deep.equal([]);
      expect(problems).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it("the wallet's Print of details too many for a QR code makes a share link (ciphertext only), says until when it works, and the paper verifies through it", async function () {
    // 500 characters that do not repeat (deflate would shrink a repeated phrase to nothing).
    let seed = 11;
    const scope = Array.from({ length: 500 }, () => String.fromCodePoint(0x4e00 + ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 3000))).join("");
    const example = findTypeById("business-licence")!.schema.examples[0] as Record<string, unknown>;
    const big = (await issueAnchored(stack, "business-licence", { ...example, business_scope: scope })).envelope as Envelope;
    const file = path.join(workDir, "营业执照-经营范围长.json");
    writeFileSync(file, JSON.stringify(big));
    const context = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
    try {
      const page = await context.newPage();
      const problems = watch(page);
      const posted: string[] = [];
      page.on("request", (request) => {
        if (request.method() === "POST" && request.url().endsWith("/v1/shares")) posted.push(request.postData() ?? "");
      });
      await page.addInitScript(() => {
        window.print = () => undefined;
      });
      await page.goto(`${stack.baseUrl}/wallet`);
      await page.waitForSelector("body[data-state=ready]");
      await page.setInputFiles("#file", file);
      await page.waitForSelector("body[data-state=loaded]", { timeout: 60_000 });
      for (const field of ["company_name", "business_scope"]) await page.check(`#reveal-${field}`);
      await page.click("#print");
      await page.waitForSelector("body[data-printed=share-link]", { timeout: 60_000 });
      expect(await page.textContent("#print-status")).to.include("二维码放不下").and.include("有效期至");
      // The service got ciphertext: none of the certificate's values.
      expect(posted).to.have.length(1);
      expect(posted[0]).to.not.include(scope.slice(0, 6)).and.not.include(COMPANY);
      const pdf = path.join(workDir, "wallet-print-link.pdf");
      await page.pdf({ path: pdf, format: "A4", printBackground: true });
      const png = await rasterise(pdf);
      writeFileSync(path.join(ARTIFACTS, "paper-wallet-printout-share-link-a4.png"), readFileSync(png));
      const link = qrTextFromImage(readFileSync(png))!;
      expect(link).to.match(new RegExp(`^${stack.baseUrl}/s/[A-Za-z0-9_-]+#`));
      const result = await verify(link, { registries, shareServices: [stack.baseUrl] });
      expect(result.verdict).to.equal("valid");
      expect(result.claims).to.deep.equal({ company_name: COMPANY, business_scope: scope });
      expect(problems).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });
});
