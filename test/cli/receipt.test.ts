import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider, Wallet, HDNodeWallet } from "ethers";
import { buildConsentReceiptTree, findTypeById, matchDcqlQuery, parseDcqlQuery, presentWithKeyBinding, verifyPresentationRequest } from "@certchain/sdk";
import { DEV_MNEMONIC } from "../../server/config";
import { deviceKey, holderBoundCopy } from "../support/holder-credentials";
import { registryFlags, removeTestFolder, runCli, sharedCliEnvironment, testFolder, type CliEnvironment } from "./support";

const licence = findTypeById("business-licence")!;
const QUERY = { credentials: [{ id: "licence", format: "dc+sd-jwt", meta: { vct_values: [licence.vct] }, claims: [{ path: ["company_name"] }, { path: ["unified_social_credit_code"] }] }] };

describe("cli: certchain receipt verify (a department's use proven from a consent receipt and the chain)", function () {
  this.timeout(300_000);
  let env: CliEnvironment;
  let dir: string;
  let proven: string;

  const api = async (method: string, url: string, body?: unknown, token = env.tokens["sh-amr"]) => {
    const response = await fetch(`${env.apiUrl}${url}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
    return { status: response.status, body: (await response.json()) as any };
  };

  before(async function () {
    env = await sharedCliEnvironment(this);
    dir = testFolder("receipt");
    // A holder-bound licence, anchored by the AMR's operator account (account 1) once the service's own batch is done.
    const issued = await api("POST", "/v1/certificates", { type: "business-licence", claims: structuredClone(licence.schema.examples[0]) });
    let got = await api("GET", `/v1/certificates/${issued.body.id}`);
    for (const deadline = Date.now() + 30_000; got.body.envelope.anchor.status !== "anchored" && Date.now() < deadline; got = await api("GET", `/v1/certificates/${issued.body.id}`)) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const holder = await deviceKey();
    const operator = new Wallet(HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0/1").privateKey, new JsonRpcProvider(env.rpcUrl, 31337, { staticNetwork: true }));
    const bound = await holderBoundCopy({ like: got.body.envelope, signer: env.service.keys.activeSigner("sh-amr")!, holder, operator, registry: { address: env.registry.address, id: env.registry.id } });

    // The department asks; the citizen answers; the department anchors its receipts.
    const created = await api("POST", "/v1/presentation-requests", { dcql_query: QUERY, purpose: "核对营业执照" });
    const requestObject = await (await fetch(created.body.request_uri)).text();
    const checked = await verifyPresentationRequest(requestObject, { registries: [env.registry], clientId: created.body.client_id });
    const request = checked.request!;
    const [candidate] = matchDcqlQuery(parseDcqlQuery(request.dcqlQuery), [bound]).credentials.licence;
    const presentation = await presentWithKeyBinding(bound, { disclose: candidate.options[0].disclose, nonce: request.nonce, audience: request.clientId, holderSigner: holder });
    const { status: _status, ...anchor } = bound.anchor as unknown as Record<string, unknown>;
    const answered = await fetch(request.responseUri, { method: "POST", body: new URLSearchParams({ state: request.state, vp_token: JSON.stringify({ licence: [presentation] }), certchain_anchors: JSON.stringify([anchor]) }) });
    expect(answered.status, await answered.clone().text()).to.equal(200);
    const leaf = (await api("GET", `/v1/presentation-requests/${created.body.id}`)).body.result.receipt_leaf;
    expect((await api("POST", "/v1/consent-receipts/anchor")).status).to.equal(200);
    // What a citizen or supervisor fetches, with no token.
    const served = await (await fetch(`${env.apiUrl}/v1/consent-receipts/${leaf}`)).json();
    proven = path.join(dir, "receipt.json");
    writeFileSync(proven, JSON.stringify(served));
  });
  after(() => removeTestFolder(dir));

  it("proves the use: the department, the fields and when, from the receipt, its proof and the chain", async function () {
    const run = await runCli(["receipt", "verify", proven, ...registryFlags(env)]);
    expect(run.code, run.stderr + run.stdout).to.equal(0);
    expect(run.stdout).to.match(/^PROVEN/).and.include("上海市市场监督管理局").and.include("company_name, unified_social_credit_code");
    const json = JSON.parse((await runCli(["receipt", "verify", proven, "--json", ...registryFlags(env)])).stdout);
    expect(json).to.deep.include({ valid: true, code: null });
    expect(json.department.slug).to.equal("sh-amr");
  });

  it("refuses a receipt altered to claim other fields, or a proof to a root nobody anchored, with exit 1", async function () {
    const served = JSON.parse(readFileSync(proven, "utf8"));
    served.receipt.credentials[0].claims.push(["legal_representative"]);
    const altered = path.join(dir, "altered.json");
    writeFileSync(altered, JSON.stringify(served));
    const run = await runCli(["receipt", "verify", altered, ...registryFlags(env)]);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.match(/^NOT PROVEN/).and.include("RECEIPT_PROOF_INVALID");

    const original = JSON.parse(readFileSync(proven, "utf8"));
    // A tree the department never anchored: the receipt with one made up beside it.
    const tree = buildConsentReceiptTree([original.receipt, { ...original.receipt, time: original.receipt.time + 1 }]);
    const lonely = path.join(dir, "lonely.json");
    writeFileSync(lonely, JSON.stringify({ receipt: original.receipt, proof: tree.proofOf(original.receipt), root: tree.root }));
    const unanchored = await runCli(["receipt", "verify", lonely, ...registryFlags(env)]);
    expect(unanchored.code).to.equal(1);
    expect(unanchored.stdout).to.include("RECEIPT_ROOT_NOT_ANCHORED");
  });
});
