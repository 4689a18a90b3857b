import { expect } from "chai";
import { findTypeById } from "@certchain/sdk";
import { flagsFor, runCli, sharedCliEnvironment, type CliEnvironment } from "./support";

describe("cli: certchain offer (OpenID4VCI collecting link)", function () {
  this.timeout(300_000);
  let env: CliEnvironment;
  let id: string;

  before(async function () {
    env = await sharedCliEnvironment(this);
    const response = await fetch(`${env.apiUrl}/v1/certificates`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.tokens["sh-amr"]}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "business-licence", claims: findTypeById("business-licence")!.schema.examples[0] }),
    });
    expect(response.status).to.equal(201);
    id = ((await response.json()) as { id: string }).id;
  });

  it("prints the wallet link, the openid-credential-offer:// URL, the PIN once and the expiry; the offer it made is live", async function () {
    const run = await runCli(["offer", id, "--pin", "--expires", "3600", "--lang", "en", ...flagsFor(env, env.tokens["sh-amr"])]);
    expect(run.code, run.stderr).to.equal(0);
    const link = /Collecting link \(this service's wallet\): (\S+)/.exec(run.stdout)?.[1];
    const url = /For other OpenID4VCI wallets: (\S+)/.exec(run.stdout)?.[1];
    const pin = /PIN: (\d{6}) /.exec(run.stdout)?.[1];
    expect(link, run.stdout).to.match(new RegExp(`^${env.apiUrl}/wallet#credential_offer_uri=`));
    expect(url, run.stdout).to.match(/^openid-credential-offer:\/\/\?credential_offer_uri=/);
    expect(pin, run.stdout).to.be.a("string");
    expect(run.stdout).to.match(/Works once, until \d{4}-\d{2}-\d{2} /);
    // The offer behind the link: by reference, with its PIN asked for.
    const uri = new URLSearchParams(new URL(link!).hash.slice(1)).get("credential_offer_uri")!;
    const offer = (await (await fetch(uri)).json()) as { credential_issuer: string; grants: Record<string, { tx_code?: { length: number } }> };
    expect(offer.credential_issuer).to.equal(`${env.apiUrl}/agencies/sh-amr`);
    expect(offer.grants["urn:ietf:params:oauth:grant-type:pre-authorized_code"].tx_code?.length).to.equal(6);
  });

  it("--qr draws the link in the terminal; --json prints the reply; mistakes are one line", async function () {
    const amr = flagsFor(env, env.tokens["sh-amr"]);
    const qr = await runCli(["offer", id, "--qr", "--lang", "zh-CN", ...amr]);
    expect(qr.code, qr.stderr).to.equal(0);
    expect(qr.stdout).to.include("收证链接（本服务的钱包）：");
    expect(qr.stdout.split("\n").filter((line) => /[▀▄█]/.test(line)).length, "QR rows").to.be.greaterThan(10);

    const json = await runCli(["offer", id, "--json", ...amr]);
    expect(json.code, json.stderr).to.equal(0);
    expect(JSON.parse(json.stdout)).to.include.keys("credential_offer", "credential_offer_uri", "offer_url", "link", "qr", "expires_at");

    const other = await runCli(["offer", id, ...flagsFor(env, env.tokens["sh-mca"])]);
    expect(other.code).to.equal(1);
    expect(other.stderr).to.match(/certchain offer: FORBIDDEN_AGENCY: /);
    const none = await runCli(["offer", ...amr]);
    expect(none.code).to.equal(2);
    const badExpiry = await runCli(["offer", id, "--expires", "5", ...amr]);
    expect(badExpiry.code).to.equal(2);
  });
});
