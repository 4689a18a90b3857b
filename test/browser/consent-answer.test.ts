import path from "node:path";
import { expect } from "chai";
import type { BrowserContext, Page } from "playwright-core";
import { credentialLeaf, findTypeById, readHolderKey, type Envelope, type HolderPublicJwk } from "@certchain/sdk";
import { Wallet, parseEther } from "ethers";
import { createRegistryAdmin } from "../../server/chain/registry-admin";
import { holderBoundCopy, LICENCE_QUERY as QUERY } from "../support/holder-credentials";
import { ARTIFACTS, PHONE, axeViolations, checkAccessibility, sharedChromium, watch } from "./chromium";
import { issueAnchored, sharedShareStack, type ShareStack } from "./stack";

const licence = findTypeById("business-licence")!;
const example = licence.schema.examples[0] as Record<string, string>;

/**
 * An operator account of `slug` for the test's own anchoring (the service's operator accounts are
 * its own, sealed): made here, funded and added on the registry by the root authority.
 */
async function extraOperator(stack: ShareStack, slug: string): Promise<Wallet> {
  const operator = new Wallet(Wallet.createRandom().privateKey, stack.chain.provider);
  await (await stack.chain.rootAuthority.sendTransaction({ to: operator.address, value: parseEther("1") })).wait();
  await createRegistryAdmin(stack.chain.deployment.address, stack.chain.rootAuthority).addOperator(slug, operator.address);
  return operator;
}

/**
 * Puts a device key in the wallet's IndexedDB as collecting does (WebCrypto P-256, private half
 * non-extractable, by the thumbprint of its public JWK) and returns its public JWK.
 */
async function deviceKeyIn(page: Page): Promise<HolderPublicJwk> {
  const jwk = (await page.evaluate(async () => {
    const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
    (window as unknown as { pendingKey: CryptoKeyPair }).pendingKey = pair;
    return crypto.subtle.exportKey("jwk", pair.publicKey);
  })) as JsonWebKey;
  const read = readHolderKey({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y });
  if (!read.ok) throw new Error(read.problem);
  await page.evaluate(async (thumbprint) => {
    const keyPair = (window as unknown as { pendingKey: CryptoKeyPair }).pendingKey;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("certchain-wallet", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("device-keys", { keyPath: "thumbprint" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    await new Promise<void>((resolve, reject) => {
      const transaction = db.transaction("device-keys", "readwrite");
      transaction.objectStore("device-keys").put({ thumbprint, keyPair, createdAt: new Date().toISOString() });
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
    });
    db.close();
  }, read.key.thumbprint);
  return read.key.jwk;
}

describe("browser: a department asks, the citizen consents in the wallet (real Chromium, 360×740)", function () {
  this.timeout(300_000);
  let stack: ShareStack;
  let holder: BrowserContext;
  let wallet: Page;
  let problems: string[];

  before(async function () {
    const { browser } = await sharedChromium(this);
    stack = await sharedShareStack();
    const issued = await issueAnchored(stack, "business-licence", structuredClone(example));
    holder = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
    wallet = await holder.newPage();
    problems = watch(wallet);
    await wallet.goto(`${stack.baseUrl}/wallet`);
    await wallet.waitForSelector("body[data-state=ready]");
    // A holder-bound copy of the certificate (what collecting gives), bound to the wallet's device key.
    const bound: Envelope = await holderBoundCopy({
      like: issued.envelope,
      signer: stack.service.keys.activeSigner("sh-amr")!,
      holder: { publicJwk: await deviceKeyIn(wallet) },
      operator: await extraOperator(stack, "sh-amr"),
      registry: { address: stack.chain.deployment.address, id: stack.chain.deployment.registryId, chainId: stack.chain.chainId },
    });
    await wallet.evaluate((entry) => localStorage.setItem("certchain.wallet.certificates", JSON.stringify([entry])), { leaf: credentialLeaf(bound.credential), envelope: bound, savedAt: new Date().toISOString() });
  });
  after(async () => holder?.close().catch(() => undefined));

  async function ask(): Promise<{ id: string; link: string }> {
    const created = await stack.api("POST", "/v1/presentation-requests", { dcql_query: QUERY, purpose: "办理企业银行开户，核对营业执照" });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return created.body;
  }
  const next = async () => wallet.click("#answer-next");

  it("one decision per screen: who (verified on the registry), why, which fields, which certificate, the optional field unticked; the department reads exactly the 2 required fields, holder binding checked; the wallet keeps the record", async function () {
    const request = await ask();
    await wallet.goto(request.link);
    await wallet.waitForSelector("#asker");
    expect(await wallet.textContent("#asker")).to.equal("上海市市场监督管理局");
    expect(await wallet.getAttribute("[data-verified]", "data-verified")).to.equal("true");
    expect(await wallet.isVisible("#open-section")).to.equal(false);
    await checkAccessibility(wallet, "answer: who");
    expect(await axeViolations(wallet)).to.deep.equal([]);

    await next();
    await wallet.waitForSelector("#purpose");
    expect(await wallet.textContent("#purpose")).to.equal("办理企业银行开户，核对营业执照");

    await next();
    await wallet.waitForSelector("#asked-required");
    expect(await wallet.$$eval("#asked-required li", (items) => items.map((li) => li.textContent))).to.deep.equal(["名称", "统一社会信用代码"]);
    expect(await wallet.$$eval("#asked-optional li", (items) => items.map((li) => li.textContent))).to.deep.equal(["法定代表人"]);

    await next();
    await wallet.waitForSelector("input[name=answer-certificate]");
    expect(await wallet.$$eval("input[name=answer-certificate]", (inputs) => inputs.length)).to.equal(1);

    await next();
    await wallet.waitForSelector("[data-optional=rep]");
    expect(await wallet.isChecked("[data-optional=rep]")).to.equal(true);
    await wallet.uncheck("[data-optional=rep]");
    await checkAccessibility(wallet, "answer: optional fields");
    expect(await axeViolations(wallet)).to.deep.equal([]);
    await wallet.screenshot({ path: path.join(ARTIFACTS, "consent-answer-optional-360x740.png") });
    await next();
    await wallet.waitForSelector("body[data-answer]", { timeout: 30_000 });
    expect(await wallet.getAttribute("body", "data-answer"), (await wallet.textContent("#answer-section")) ?? "").to.equal("sent");

    const read = await stack.api("GET", `/v1/presentation-requests/${request.id}`);
    expect(read.body.status).to.equal("answered");
    expect(read.body.result.verdict).to.equal("valid");
    const [credential] = read.body.result.credentials;
    expect(credential.holder_binding).to.deep.include({ required: true, checked: true });
    expect(credential.claims).to.deep.equal({ company_name: example.company_name, unified_social_credit_code: example.unified_social_credit_code });

    // The record: who, which fields, and the same receipt the department holds.
    await wallet.waitForSelector("#records-section:not([hidden])");
    const record = await wallet.$eval("#records .record", (li) => ({ text: li.textContent ?? "", leaf: (li as HTMLElement).dataset.receiptLeaf }));
    expect(record.text).to.include("上海市市场监督管理局").and.include("名称").and.include("统一社会信用代码").and.not.include("法定代表人");
    expect(record.leaf).to.equal(read.body.result.receipt_leaf);
    expect(problems).to.deep.equal([]);
  });

  it("declining, confirmed, tells the department access_denied and sends nothing", async function () {
    const request = await ask();
    await wallet.goto(request.link);
    await wallet.waitForSelector("#asker");
    await wallet.click("#answer-decline");
    await wallet.waitForSelector("dialog#confirm[open]");
    await wallet.click("#confirm-ok");
    await wallet.waitForSelector("body[data-answer]");
    expect(await wallet.getAttribute("body", "data-answer")).to.equal("declined");
    const read = await stack.api("GET", `/v1/presentation-requests/${request.id}`);
    expect(read.body).to.deep.include({ status: "declined", result: { error: "access_denied", error_description: "The holder declined." } });
    // Still one record: a refusal is no use.
    expect(await wallet.$$eval("#records .record", (items) => items.length)).to.equal(1);
    expect(problems).to.deep.equal([]);
  });

  it("speaks English, and every screen stays on a 360 px phone with the browser's font at 24 px", async function () {
    const request = await ask();
    const cdp = await wallet.context().newCDPSession(wallet);
    try {
      await cdp.send("Page.enable");
      await cdp.send("Page.setFontSizes", { fontSizes: { standard: 24, fixed: 20 } });
      await wallet.goto(`${request.link}&lang=en`);
      await wallet.waitForSelector("#asker");
      expect(await wallet.textContent("#answer-title")).to.equal("Who is asking to see your certificate");
      expect(await wallet.textContent("[data-verified=true]")).to.include("Verified: this is the name on the blockchain registry.");
      for (const screen of ["who", "why", "fields", "certificate", "optional fields"]) {
        await checkAccessibility(wallet, `answer at 24 px: ${screen}`);
        if (screen !== "optional fields") await next();
      }
      expect(await wallet.textContent("#answer-next")).to.equal("Agree and send");
      await wallet.screenshot({ path: path.join(ARTIFACTS, "consent-answer-en-24px-360x740.png"), fullPage: true });
      expect(problems).to.deep.equal([]);
    } finally {
      await cdp.detach();
    }
  });
});
