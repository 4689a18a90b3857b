import path from "node:path";
import { expect } from "chai";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { credentialLeaf, findTypeById, parseCredential, readHolderKey, type Envelope } from "@certchain/sdk";
import { ARTIFACTS, PHONE, axeViolations, checkAccessibility, sharedChromium, watch } from "./chromium";
import { issueAnchored, sharedShareStack, type ShareStack } from "./stack";

/** The wallet's certificates as this browser keeps them. */
const keptEnvelopes = (page: Page): Promise<{ leaf: string; envelope: Envelope }[]> =>
  page.evaluate(() => JSON.parse(localStorage.getItem("certchain.wallet.certificates") ?? "[]"));

/** The device keys in IndexedDB: thumbprint and whether their private half can be exported (none before the wallet made its database). */
const deviceKeys = (page: Page): Promise<{ thumbprint: string; extractable: boolean; algorithm: string }[]> =>
  page.evaluate(async () => {
    // Opening a database that does not exist would create it empty: look first.
    if (!(await indexedDB.databases()).some((d) => d.name === "certchain-wallet")) return [];
    return new Promise((resolve, reject) => {
      const open = indexedDB.open("certchain-wallet");
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        try {
          const all = db.transaction("device-keys").objectStore("device-keys").getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = () => {
            db.close();
            resolve(
              (all.result as { thumbprint: string; keyPair: CryptoKeyPair }[]).map((k) => ({
                thumbprint: k.thumbprint,
                extractable: k.keyPair.privateKey.extractable,
                algorithm: `${k.keyPair.privateKey.algorithm.name}/${(k.keyPair.privateKey.algorithm as EcKeyAlgorithm).namedCurve}`,
              })),
            );
          };
        } catch (error) {
          db.close();
          reject(error);
        }
      };
    });
  });

/** Waits for `selector`; on a timeout, says what the wallet shows instead. */
async function waitFor(page: Page, selector: string, timeout = 30_000): Promise<void> {
  try {
    await page.waitForSelector(selector, { timeout });
  } catch (error) {
    const shown = await page.evaluate(() => ({ body: { ...document.body.dataset }, collect: document.getElementById("collect-body")?.textContent, status: document.getElementById("offer-status")?.textContent }));
    throw new Error(`${(error as Error).message.split("\n")[0]}; the wallet shows ${JSON.stringify(shown)}`);
  }
}

describe("browser: collecting a certificate into /wallet with OpenID4VCI (real Chromium, 360×740)", function () {
  this.timeout(300_000);
  let stack: ShareStack;
  let browser: Browser;
  let holder: BrowserContext;
  let wallet: Page;
  let problems: string[];

  before(async function () {
    ({ browser } = await sharedChromium(this));
    stack = await sharedShareStack();
    holder = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
    wallet = await holder.newPage();
    problems = watch(wallet);
  });
  after(async () => {
    await holder?.close().catch(() => undefined);
  });

  it("the clerk's link with a PIN: who offers what, a wrong PIN, then the credential bound to a non-extractable device key; anchored later; the link then works no more", async function () {
    const claims = structuredClone(findTypeById("business-licence")!.schema.examples[0]) as Record<string, unknown>;
    const certificate = await issueAnchored(stack, "business-licence", claims);
    const made = await stack.api("POST", `/v1/certificates/${certificate.id}/offer`, { tx_code: true });
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    const { link, tx_code: pin } = made.body as { link: string; tx_code: string };
    expect(link.startsWith(`${stack.baseUrl}/wallet#credential_offer_uri=`)).to.equal(true);

    // The offer screen: one decision, the rest of the wallet out of the way.
    await wallet.goto(link);
    await waitFor(wallet, "body[data-collect=offer]", 30_000);
    expect(await wallet.textContent("#collect-type")).to.equal("营业执照");
    const agency = await wallet.$eval("#collect-agency", (el) => ({ text: el.textContent ?? "", verified: (el as HTMLElement).dataset.verified }));
    expect(agency.verified, "the agency's name read from the registry on the chain").to.equal("true");
    expect(agency.text).to.include("上海市市场监督管理局");
    expect(await wallet.textContent("#collect-lead")).to.include("上海市市场监督管理局");
    expect(await wallet.isVisible("#open-section")).to.equal(false);
    expect(await wallet.isVisible("label[for=collect-pin]")).to.equal(true);
    await checkAccessibility(wallet, "collect: the offer");
    expect(await axeViolations(wallet)).to.deep.equal([]);
    await wallet.screenshot({ path: path.join(ARTIFACTS, "wallet-collect-offer-360x740.png") });

    // A wrong PIN is said, and the same screen asks again.
    const wrong = pin === "000000" ? "111111" : "000000";
    await wallet.fill("#collect-pin", wrong);
    await wallet.click("#collect-go");
    await waitFor(wallet, "#collect-error", 30_000);
    expect(await wallet.textContent("#collect-error")).to.include("取证码不正确");
    expect(await wallet.getAttribute("body", "data-collect")).to.equal("offer");
    expect(await deviceKeys(wallet), "no key is made before the token").to.deep.equal([]);
    // The browser logs the token endpoint's 400 (invalid_grant) itself: that one is expected.
    expect(problems.splice(0)).to.deep.equal(["console error: Failed to load resource: the server responded with a status of 400 (Bad Request)"]);

    await wallet.fill("#collect-pin", pin);
    await wallet.click("#collect-go");
    await waitFor(wallet, "body[data-collect=collected][data-state=loaded]", 60_000);
    expect(await wallet.textContent("#offer-status")).to.include("已收取");
    expect(new URL(wallet.url()).hash, "a reload does not open the spent offer again").to.equal("");

    // Kept as a pending certificate file bound to the device key made here, which cannot leave WebCrypto.
    const kept = await keptEnvelopes(wallet);
    expect(kept).to.have.length(1);
    const { envelope } = kept[0];
    expect(envelope.anchor.status).to.equal("pending");
    const payload = parseCredential(envelope.credential).payload as Record<string, any>;
    expect(payload.certificate_number).to.equal(parseCredential(certificate.envelope.credential).payload.certificate_number);
    expect(credentialLeaf(envelope.credential)).to.not.equal(credentialLeaf(certificate.envelope.credential));
    const bound = readHolderKey(payload.cnf?.jwk);
    expect(bound.ok).to.equal(true);
    const keys = await deviceKeys(wallet);
    expect(keys).to.deep.equal([{ thumbprint: bound.ok ? bound.key.thumbprint : "", extractable: false, algorithm: "ECDSA/P-256" }]);
    expect(await wallet.$eval(".badge", (el) => (el as HTMLElement).dataset.verdict)).to.equal("pending");
    await checkAccessibility(wallet, "collect: collected");
    expect(await axeViolations(wallet)).to.deep.equal([]);

    // Once anchored, the wallet fetches the proof as for any pending certificate, and it is valid.
    await stack.anchorNow();
    await wallet.reload();
    await waitFor(wallet, "body[data-saved=checked]", 60_000);
    const leaf = kept[0].leaf;
    expect(await wallet.$eval(`li[data-leaf="${leaf}"] .tag`, (el) => (el as HTMLElement).dataset.verdict)).to.equal("valid");
    expect((await keptEnvelopes(wallet))[0].envelope.anchor.status).to.equal("anchored");

    // The link is spent: opened again, it says so and offers nothing to collect.
    await wallet.goto(link);
    await waitFor(wallet, "body[data-collect=failed]", 30_000);
    expect(await wallet.textContent("#collect-error")).to.include("已经失效");
    expect(await wallet.isVisible("#collect-retry")).to.equal(false);
    expect(problems.splice(0)).to.deep.equal(["console error: Failed to load resource: the server responded with a status of 410 (Gone)"]);
    await wallet.click("#collect-close");
    expect(await wallet.isVisible("#open-section")).to.equal(true);
    expect(problems).to.deep.equal([]);
  });

  it("at the browser's default font of 24 px, the offer screen still fits 360 px without sideways scrolling", async () => {
    const certificate = await issueAnchored(stack, "business-licence", structuredClone(findTypeById("business-licence")!.schema.examples[0]) as Record<string, unknown>);
    const made = await stack.api("POST", `/v1/certificates/${certificate.id}/offer`, { tx_code: true });
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    const context = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
    try {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send("Page.enable");
      await cdp.send("Page.setFontSizes", { fontSizes: { standard: 24, fixed: 20 } });
      await page.goto(made.body.link);
      await waitFor(page, "body[data-collect=offer]", 30_000);
      const layout = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        base: parseFloat(getComputedStyle(document.body).fontSize),
        go: document.getElementById("collect-go")!.getBoundingClientRect().right,
      }));
      expect(layout.base).to.be.at.least(24);
      expect(layout.scrollWidth).to.be.at.most(PHONE.width);
      expect(layout.go).to.be.at.most(PHONE.width);
      await page.screenshot({ path: path.join(ARTIFACTS, "wallet-collect-offer-360x740-24px.png"), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it("a pasted openid-credential-offer:// URL without a PIN, in English: collected straight away", async () => {
    const claims = structuredClone(findTypeById("production-licence")!.schema.examples[0]) as Record<string, unknown>;
    const certificate = await issueAnchored(stack, "production-licence", claims);
    const made = await stack.api("POST", `/v1/certificates/${certificate.id}/offer`);
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    await wallet.goto(`${stack.baseUrl}/wallet`);
    await wallet.waitForSelector("body[data-state=ready]");
    await wallet.click("#lang-toggle");
    await wallet.fill("#offer-url", made.body.offer_url);
    await wallet.click("#offer-open");
    await waitFor(wallet, "body[data-collect=offer]", 30_000);
    expect(await wallet.textContent("#collect-go")).to.equal("Collect to this device");
    expect(await wallet.$("#collect-pin")).to.equal(null);
    await wallet.click("#collect-go");
    await waitFor(wallet, "body[data-collect=collected][data-state=loaded]", 60_000);
    const kept = await keptEnvelopes(wallet);
    expect(kept.map((k) => parseCredential(k.envelope.credential).payload.vct)).to.include(parseCredential(certificate.envelope.credential).payload.vct);
    expect(await deviceKeys(wallet), "one device key per certificate").to.have.length(2);
    expect(problems).to.deep.equal([]);
  });
});
