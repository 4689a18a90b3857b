/**
 * Issue 10, "done when", against the service as `npm start` runs it (its own process, its own
 * Hardhat node): a new type (社会保障卡, with nested claims) added through the API with nothing
 * else changed, accredited to an agency whose token existed before, issued, shared from the
 * wallet and shown with labels on the share page (real Chromium), verified by our SDK (the CLI,
 * another process) and by a standard SD-JWT VC verifier (@sd-jwt/sd-jwt-vc with keys from
 * /.well-known/jwt-vc-issuer, status through the Token Status List, type metadata from the vct
 * URL); then revoked, and both say so.
 *
 * This file loads no module of sdk/ (@certchain/sdk): the standard path must work without our
 * code, and our SDK runs in the CLI's process and in the browser.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { getListFromStatusListJWT } from "@sd-jwt/jwt-status-list";
import type { Browser } from "playwright-core";
import { ARTIFACTS, PHONE, sharedChromium, watch } from "../browser/chromium";
import { cliBundle } from "../support/bundles";
import { freePort } from "../support/ports";
import { api, killLeftoverNode, startServiceProcess, type ServiceProcess } from "../support/service-process";
import { SOCIAL_SECURITY_CARD, socialSecurityClaims } from "../support/social-security-card";
import { issuerMetadataUrl, verifyWithStandardLibrary } from "../support/standard-verifier";

const ROOT = path.join(__dirname, "..", "..");

const payloadOf = (sdJwt: string) => JSON.parse(Buffer.from(sdJwt.split("~")[0].split(".")[1], "base64url").toString("utf8"));

/** Our SDK, in another process: `certchain verify <file> --json` (the service's host is allowed for type metadata). */
async function ourVerify(file: string, apiUrl: string, demo: { rpcUrl: string; registry: string; chainId: number }): Promise<any> {
  const cli = await cliBundle();
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("CERTCHAIN_") && !key.startsWith("TS_NODE_")));
    const child = spawn(process.execPath, [cli, "verify", file, "--json", "--api", apiUrl, "--rpc", demo.rpcUrl, "--registry", demo.registry, "--chain-id", String(demo.chainId)], {
      cwd: tmpdir(),
      env: { ...env, LANG: "en_US.UTF-8" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", () => {
      try {
        resolve(JSON.parse(stdout)[0]);
      } catch {
        reject(new Error(`certchain verify: ${stderr || stdout}`));
      }
    });
  });
}

describe("e2e: a type added through the API, verified by our SDK and by a standard SD-JWT VC verifier (issue 10, done when)", function () {
  this.timeout(600_000);
  let dataDir: string;
  let service: ServiceProcess;
  let browser: Browser;
  let envelope: any;
  let certificateId: string;
  let envelopeFile: string;
  let link: string;
  let amrToken: string;

  before(async function () {
    dataDir = mkdtempSync(path.join(tmpdir(), "certchain-standard-"));
    service = await startServiceProcess(dataDir, { chainPort: await freePort() });
    amrToken = service.demo.agencies.find((a) => a.id === "sh-amr")!.token;
  });

  after(async function () {
    await service?.stop().catch(() => undefined);
    killLeftoverNode(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("loads no module of sdk/: the standard path is the libraries' own", function () {
    for (const file of [__filename, path.join(ROOT, "test", "support", "standard-verifier.ts"), path.join(ROOT, "test", "support", "service-process.ts"), path.join(ROOT, "test", "support", "social-security-card.ts"), path.join(ROOT, "test", "browser", "chromium.ts")]) {
      const source = readFileSync(file, "utf8");
      const imports = [...source.matchAll(/^import[^"']*["']([^"']+)["']/gm)].map((m) => m[1]);
      expect(imports.filter((name) => name.includes("@certchain/sdk") || /(^|\/)sdk(\/|$)/.test(name)), file).to.deep.equal([]);
    }
  });

  it("adds 社会保障卡 through the API and accredits an agency: its token from before issues the type at once", async function () {
    const { demo } = service;
    const added = await api(demo, "POST", "/v1/types", demo.rootToken, SOCIAL_SECURITY_CARD);
    expect(added.status, JSON.stringify(added.body)).to.equal(201);
    expect(added.body.vct).to.equal(`${demo.apiUrl}/types/social-security-card/1`);
    // Not yet accredited: refused, nothing issued.
    const early = await api(demo, "POST", "/v1/certificates", amrToken, { type: "social-security-card", claims: socialSecurityClaims() });
    expect(early.status).to.equal(403);
    const accredited = await api(demo, "POST", "/v1/agencies/sh-amr/accreditations", demo.rootToken, { type: "social-security-card" });
    expect(accredited.status, JSON.stringify(accredited.body)).to.equal(201);

    const response = await fetch(`${demo.apiUrl}/v1/certificates`, {
      method: "POST",
      headers: { authorization: `Bearer ${amrToken}`, "content-type": "application/json", prefer: "wait=30" },
      body: JSON.stringify({ type: "social-security-card", claims: socialSecurityClaims() }),
    });
    const issued = (await response.json()) as any;
    expect(response.status, JSON.stringify(issued)).to.equal(201);
    expect(issued.envelope.anchor.status).to.equal("anchored");
    ({ envelope } = issued);
    certificateId = issued.id;
    envelopeFile = path.join(dataDir, "社会保障卡.json");
    writeFileSync(envelopeFile, JSON.stringify(envelope));
    expect(envelope.version).to.equal(2);
    expect(payloadOf(envelope.credential)).to.deep.include({ iss: `${demo.apiUrl}/agencies/sh-amr`, vct: added.body.vct, "vct#integrity": added.body.integrity });
  });

  it("our SDK says valid, its claims checked against the type's metadata from the registry-vouched document", async function () {
    const result = await ourVerify(envelopeFile, service.demo.apiUrl, service.demo);
    expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
    expect(result.checks.find((c: any) => c.name === "schema").status).to.equal("passed");
    expect(result.certificate.type.names["zh-CN"]).to.equal("社会保障卡");
  });

  it("a standard verifier says valid: keys from /.well-known/jwt-vc-issuer, status 0 from the Token Status List, metadata from the vct URL", async function () {
    const { demo } = service;
    const { payload, status, typeMetadata, fetched } = await verifyWithStandardLibrary(envelope.credential);
    expect(payload.holder).to.deep.equal(socialSecurityClaims().holder);
    expect(status).to.equal(0);
    expect(typeMetadata!.display.find((d: any) => d.locale === "zh-CN").name).to.equal("社会保障卡");
    expect(fetched).to.include.members([issuerMetadataUrl(`${demo.apiUrl}/agencies/sh-amr`), `${demo.apiUrl}/types/social-security-card/1`, `${demo.apiUrl}/status-lists/sh-amr/0`]);
    expect(issuerMetadataUrl(`${demo.apiUrl}/agencies/sh-amr`)).to.equal(`${demo.apiUrl}/.well-known/jwt-vc-issuer/agencies/sh-amr`);
  });

  it("the holder shares the card from the wallet, choosing nested fields by their labels; the share page shows them labelled (real Chromium)", async function () {
    ({ browser } = await sharedChromium(this));
    const holder = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
    const wallet = await holder.newPage();
    const walletProblems = watch(wallet);
    await wallet.goto(`${service.demo.apiUrl}/wallet`);
    await wallet.waitForSelector("body[data-state=ready]");
    await wallet.setInputFiles("#file", envelopeFile);
    await wallet.waitForSelector("body[data-state=loaded]", { timeout: 60_000 });
    expect(await wallet.$eval(".badge", (el) => (el as HTMLElement).dataset.verdict)).to.equal("valid");
    expect(await wallet.textContent(".cert__type")).to.include("社会保障卡");
    const label = (id: string) => wallet.$eval(`label[for=${id}] .field__label`, (el) => el.textContent);
    expect(await label("reveal-holder")).to.equal("持卡人");
    expect(await label("reveal-holder-name")).to.equal("姓名");
    expect(await label("reveal-holder-id_number")).to.equal("社会保障号码");
    expect(await label("reveal-banks-1")).to.equal("银行 2");
    await wallet.check("#reveal-holder-name");
    await wallet.check("#reveal-card_number");
    await wallet.screenshot({ path: path.join(ARTIFACTS, "wallet-social-security-card-360x740-full.png"), fullPage: true });
    await wallet.click("#create");
    await wallet.waitForSelector("#share-result:not([hidden])", { timeout: 60_000 });
    link = await wallet.inputValue("#share-link");
    expect(walletProblems).to.deep.equal([]);
    await holder.close();

    const verifier = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
    const page = await verifier.newPage();
    const problems = watch(page);
    await page.goto(link);
    await page.waitForSelector("body[data-state=done]", { timeout: 60_000 });
    expect(await page.$eval(".verdict", (el) => (el as HTMLElement).dataset.verdict)).to.equal("valid");
    expect(await page.$$eval("[data-testid=revealed] dt", (els) => els.map((el) => el.textContent))).to.deep.equal(["持卡人", "姓名", "卡号"]);
    const body = (await page.textContent("body"))!;
    expect(body).to.include("王芳").and.include("B12345678");
    for (const secret of ["11010519491231002X", "1949-12-31", "中国工商银行"]) expect(body).to.not.include(secret);
    for (const key of ["holder", "id_number", "card_number", "banks"]) expect(body).to.not.include(key);
    const withheld = await page.$$eval("[data-testid=withheld] li", (els) => els.map((el) => el.textContent));
    expect(withheld).to.include.members(["发卡地", "合作银行", "持卡人 › 社会保障号码"]);
    await page.screenshot({ path: path.join(ARTIFACTS, "share-page-social-security-card-360x740-full.png"), fullPage: true });
    await page.click("#lang-toggle");
    expect(await page.$$eval("[data-testid=revealed] dt", (els) => els.map((el) => el.textContent))).to.deep.equal(["Cardholder", "Name", "Card number"]);
    expect(problems).to.deep.equal([]);
    await verifier.close();
  });

  it("revoked: the published list follows within seconds, the standard verifier reads 1 (revoked) and our SDK says revoked", async function () {
    const { demo } = service;
    const { idx, uri } = payloadOf(envelope.credential).status.status_list;
    const revoked = await api(demo, "POST", `/v1/certificates/${certificateId}/revoke`, amrToken, { reason: 1 });
    expect(revoked.status, JSON.stringify(revoked.body)).to.equal(200);
    const start = Date.now();
    // How long until a verifier that fetches the list sees the revocation (the figure the issue asks for).
    for (;;) {
      const token = await (await fetch(uri)).text();
      if (getListFromStatusListJWT(token).getStatus(idx) === 1) break;
      if (Date.now() - start > 30_000) throw new Error("the published status list did not follow the revocation within 30 s");
      await new Promise((r) => setTimeout(r, 25));
    }
    console.log(`      status change → published list: ${Date.now() - start} ms after the revoke call returned`);

    const standard = await verifyWithStandardLibrary(envelope.credential);
    expect(standard.status).to.equal(1);
    const ours = await ourVerify(envelopeFile, demo.apiUrl, demo);
    expect(ours.verdict).to.equal("revoked");
    expect(ours.reason.code).to.equal("STATUS_REVOKED");
  });

  it("the share page says 已撤销 for the same link", async function () {
    ({ browser } = await sharedChromium(this));
    expect(link, "the link the sharing test made").to.be.a("string");
    const context = await browser.newContext({ viewport: PHONE, locale: "zh-CN" });
    const page = await context.newPage();
    await page.goto(link);
    await page.waitForSelector("body[data-state=done]", { timeout: 60_000 });
    expect(await page.$eval(".verdict", (el) => (el as HTMLElement).dataset.verdict)).to.equal("revoked");
    expect(await page.textContent(".verdict__word")).to.equal("已撤销");
    await context.close();
  });

  it("certchain status-list rebuild derives the same list from the chain alone", async function () {
    const { demo } = service;
    const cli = await cliBundle();
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("CERTCHAIN_") && !key.startsWith("TS_NODE_")));
      const child = spawn(process.execPath, [cli, "status-list", "rebuild", "--agency", "sh-amr", "--json", "--api", demo.apiUrl, "--rpc", demo.rpcUrl, "--registry", demo.registry, "--chain-id", String(demo.chainId)], {
        cwd: tmpdir(),
        env: { ...env, LANG: "en_US.UTF-8" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, stdout, stderr }));
    });
    expect(result.code, result.stderr).to.equal(0);
    const rebuilt = JSON.parse(result.stdout);
    const idx = payloadOf(envelope.credential).status.status_list.idx;
    expect(rebuilt.entries).to.deep.include({ index: idx, status: 1 });
    expect(rebuilt.published.identical).to.equal(true);
    expect(rebuilt.agrees).to.equal(true);
  });
});
