import path from "node:path";
import { expect } from "chai";
import type { BrowserContext, Page } from "playwright-core";
import { findTypeById } from "@certchain/sdk";
import { ARTIFACTS, PHONE, axeViolations, checkAccessibility, sharedChromium, watch } from "./chromium";
import { issueAnchored, sharedShareStack, type ShareStack } from "./stack";
import { LICENCE_QUERY as QUERY } from "../support/holder-credentials";

// Issue 20, "Done when": the whole journey in one test, in real Chromium at 360×740.
const licence = findTypeById("business-licence")!;
const example = licence.schema.examples[0] as Record<string, string>;

describe("browser: the consented-use journey — offer, collect, request, consent, result, replay refused, record (real Chromium, 360×740)", function () {
  this.timeout(300_000);
  let stack: ShareStack;
  let holder: BrowserContext;
  let wallet: Page;
  let problems: string[];

  before(async function () {
    const { browser } = await sharedChromium(this);
    stack = await sharedShareStack();
    holder = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
    wallet = await holder.newPage();
    problems = watch(wallet);
  });
  after(async () => holder?.close().catch(() => undefined));

  it("a clerk's offer is collected with a device key; a department asks for 3 fields (1 optional); the citizen leaves the optional one out; the department reads exactly the 2 required, holder-bound; the same vp_token to a second request fails; the wallet shows the record", async function () {
    // The clerk: an issued licence, and an offer for it.
    const certificate = await issueAnchored(stack, "business-licence", structuredClone(example));
    const offer = await stack.api("POST", `/v1/certificates/${certificate.id}/offer`);
    expect(offer.status, JSON.stringify(offer.body)).to.equal(201);

    // The citizen collects it: a device key made in this browser, the credential bound to it.
    await wallet.goto(offer.body.link);
    await wallet.waitForSelector("body[data-collect=offer]", { timeout: 30_000 });
    await wallet.click("#collect-go");
    await wallet.waitForSelector("body[data-collect=collected][data-state=loaded]", { timeout: 60_000 });
    // Anchored (the holder copy is a leaf of its own), and the wallet picks the proof up.
    await stack.anchorNow();
    await wallet.goto(`${stack.baseUrl}/wallet`);
    await wallet.waitForSelector("body[data-saved=checked]", { timeout: 60_000 });

    // The department asks.
    const first = await stack.api("POST", "/v1/presentation-requests", { dcql_query: QUERY, purpose: "办理企业银行开户，核对营业执照" });
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    let posted: string | undefined;
    wallet.on("request", (request) => {
      if (request.method() === "POST" && request.url().endsWith("/v1/presentation-responses")) posted = request.postData() ?? undefined;
    });

    // One decision per screen.
    await wallet.goto(first.body.link);
    await wallet.waitForSelector("#asker");
    expect(await wallet.textContent("#asker")).to.equal("上海市市场监督管理局");
    expect(await wallet.getAttribute("[data-verified]", "data-verified")).to.equal("true");
    await wallet.click("#answer-next");
    await wallet.waitForSelector("#purpose");
    await wallet.click("#answer-next");
    await wallet.waitForSelector("#asked-optional");
    expect(await wallet.$$eval("#asked-required li", (items) => items.length)).to.equal(2);
    expect(await wallet.$$eval("#asked-optional li", (items) => items.length)).to.equal(1);
    await wallet.click("#answer-next");
    await wallet.waitForSelector("input[name=answer-certificate]");
    await wallet.click("#answer-next");
    await wallet.waitForSelector("[data-optional=rep]");
    await wallet.uncheck("[data-optional=rep]");
    await checkAccessibility(wallet, "journey: consent");
    expect(await axeViolations(wallet)).to.deep.equal([]);
    await wallet.click("#answer-next");
    await wallet.waitForSelector("body[data-answer]", { timeout: 30_000 });
    expect(await wallet.getAttribute("body", "data-answer"), (await wallet.textContent("#answer-section")) ?? "").to.equal("sent");

    // The department's GET: valid, holder binding checked, exactly the 2 required fields.
    const read = await stack.api("GET", `/v1/presentation-requests/${first.body.id}`);
    expect(read.body.status).to.equal("answered");
    expect(read.body.result.verdict).to.equal("valid");
    const [credential] = read.body.result.credentials;
    expect(credential.holder_binding).to.deep.include({ required: true, checked: true });
    expect(credential.claims).to.deep.equal({ company_name: example.company_name, unified_social_credit_code: example.unified_social_credit_code });

    // The same vp_token, posted to a second request, fails with a stable code.
    const second = await stack.api("POST", "/v1/presentation-requests", { dcql_query: QUERY, purpose: "再次核对" });
    const secondState = await fetch(second.body.request_uri)
      .then((r) => r.text())
      .then((jwt) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8")).state as string);
    const vpToken = new URLSearchParams(posted).get("vp_token")!;
    const replay = await fetch(`${stack.baseUrl}/v1/presentation-responses`, { method: "POST", body: new URLSearchParams({ state: secondState, vp_token: vpToken }) });
    expect(replay.status).to.equal(400);
    expect(await replay.json()).to.deep.include({ code: "PRESENTATION_REPLAYED" });
    expect((await stack.api("GET", `/v1/presentation-requests/${second.body.id}`)).body.status).to.equal("pending");

    // The wallet's record: who, which fields, the department's own receipt.
    await wallet.goto(`${stack.baseUrl}/wallet`);
    await wallet.waitForSelector("#records-section:not([hidden])");
    const record = await wallet.$eval("#records .record", (li) => ({ text: li.textContent ?? "", leaf: (li as HTMLElement).dataset.receiptLeaf }));
    expect(record.text).to.include("上海市市场监督管理局").and.include("统一社会信用代码").and.not.include("法定代表人");
    expect(record.leaf).to.equal(read.body.result.receipt_leaf);
    await wallet.screenshot({ path: path.join(ARTIFACTS, "consent-journey-records-360x740.png"), fullPage: true });
    expect(problems).to.deep.equal([]);
  });
});
