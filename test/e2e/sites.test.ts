import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { HDNodeWallet, Interface, parseEther } from "ethers";
import { CERTCHAIN_REGISTRY_ABI, findTypeById, isCertchainError, verifyMany, type Envelope, type TrustedRegistry } from "@certchain/sdk";
import { loadConfig, registryNameOf } from "../../server/config";
import type { Principal } from "../../server/domain/principal";
import { startIssuingNode, type IssuingNode } from "../../server/issuing-node";
import { createLogger } from "../../server/lib/logger";
import { derivedCreditCode } from "../../server/service/identifiers";
import { startAnvil, type Anvil } from "../support/anvil";
import { freePort } from "../support/ports";

const SITE_B_MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const root: Principal = { kind: "root", subject: "sites-test", tokenId: "t-root" };
const agencyPrincipal = (agency: string): Principal => ({ kind: "agency", agency, types: ["business-licence"], subject: `${agency}-system`, tokenId: `t-${agency}` });
let requests = 0;
const context = () => ({ requestId: `sites-${++requests}` });
/** Certificates each site issues in the suite; the issue's figure, 1,000 each: `SITES_PER_SITE=1000 npx hardhat test test/e2e/sites.test.ts`. */
const PER_SITE = Number(process.env.SITES_PER_SITE ?? 200);

/**
 * Issue 18: two issuing sites on one registry. Site A deploys it; site B joins (JOIN_REGISTRY)
 * with a root account of its own that A grants; each registers and serves its own agency with
 * its own operator account; both issue at once; everything verifies under one trust list.
 */
describe("e2e: two sites on one registry (issue 18)", function () {
  this.timeout(600_000);
  let anvil: Anvil;
  const dirs: string[] = [];
  const nodes: IssuingNode[] = [];

  const fund = (account: string) => anvil.send("anvil_setBalance", [account, `0x${parseEther("100").toString(16)}`]);

  async function site(env: Record<string, string>, agency: { slug: string; name: string }, funded: boolean): Promise<IssuingNode> {
    const dataDir = mkdtempSync(path.join(tmpdir(), "certchain-site-"));
    dirs.push(dataDir);
    const config = loadConfig({ CHAIN_RPC_URL: anvil.rpcUrl, DATA_DIR: dataDir, PORT: String(await freePort()), BATCH_DELAY_MS: "200", SIGNING_WORKERS: "0", RATE_LIMIT_PER_MINUTE: "0", ...env }, []);
    const node = await startIssuingNode({
      config,
      logger: createLogger("silent"),
      registryName: agency.slug,
      async prepare({ service }) {
        const view = await service.registerAgency(root, { slug: agency.slug, name: agency.name, creditCode: derivedCreditCode(agency.slug), types: ["business-licence"] }, context());
        if (!funded) await fund(view.service!.operator);
      },
    });
    nodes.push(node);
    return node;
  }

  before(async function () {
    anvil = await startAnvil();
  });
  after(async function () {
    for (const node of nodes.reverse()) await node.close().catch(() => undefined);
    await anvil?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it(`site B joins site A's registry with accounts of its own; both issue ${PER_SITE} certificates at once with no replacement or nonce error, and all are valid under one trust list`, async function () {
    const a = await site({}, { slug: "sh-amr", name: "上海市市场监督管理局" }, true);
    const siteBRoot = HDNodeWallet.fromPhrase(SITE_B_MNEMONIC, undefined, "m/44'/60'/0'/0/0").address;
    await fund(siteBRoot);
    expect(await a.service.addSite(root, siteBRoot, context())).to.deep.equal({ account: siteBRoot, added: true });
    expect((await a.service.addSite(root, siteBRoot.toLowerCase(), context())).added, "idempotent").to.equal(false);

    const b = await site({ CHAIN_MNEMONIC: SITE_B_MNEMONIC, JOIN_REGISTRY: a.chain.deployment.address }, { slug: "gz-amr", name: "广州市市场监督管理局" }, false);
    expect(b.chain.deployment.address).to.equal(a.chain.deployment.address);
    expect(b.chain.deployment.registryId).to.equal(a.chain.deployment.registryId);
    expect(b.chain.freshDeployment, "joined, not deployed").to.equal(false);

    // Each agency is served by exactly one site.
    const refused = await b.service.registerAgency(root, { slug: "sh-amr", name: "上海市市场监督管理局", creditCode: derivedCreditCode("sh-amr"), types: ["business-licence"] }, context()).catch((error) => error);
    expect(isCertchainError(refused) && refused.code).to.equal("AGENCY_EXISTS");
    expect(a.service.servedAgencies()).to.deep.equal(["sh-amr"]);
    expect(b.service.servedAgencies()).to.deep.equal(["gz-amr"]);

    // No account writes for both sites.
    const accounts = [await a.chain.rootAuthority.getAddress(), (await a.service.agency("sh-amr")).service!.operator, siteBRoot, (await b.service.agency("gz-amr")).service!.operator];
    expect(new Set(accounts.map((x) => x.toLowerCase())).size, accounts.join(", ")).to.equal(4);
    // The registry tells the sites apart: each agency was registered by its own site's account.
    const registry = new Interface(CERTCHAIN_REGISTRY_ABI);
    const registeredBy = async (slug: string) => {
      const logs: { topics: string[]; data: string; transactionHash: string }[] = await anvil.send("eth_getLogs", [{ address: a.chain.deployment.address, topics: [registry.getEvent("AgencyRegistered")!.topicHash], fromBlock: "0x0", toBlock: "latest" }]);
      const log = logs.find((l) => registry.parseLog(l)!.args.slug === slug)!;
      return (await anvil.send("eth_getTransactionByHash", [log.transactionHash])).from.toLowerCase();
    };
    expect(await registeredBy("sh-amr")).to.equal(accounts[0].toLowerCase());
    expect(await registeredBy("gz-amr")).to.equal(siteBRoot.toLowerCase());

    // Both at once, in requests of 50; the anchoring errors either batcher reports are sampled throughout.
    const errors = new Set<string>();
    const sampler = setInterval(() => {
      for (const node of [a, b]) {
        const error = node.service.batcher.stats().lastError;
        if (error) errors.add(error);
      }
    }, 50);
    const claims = { ...(findTypeById("business-licence")!.schema.examples[0] as Record<string, unknown>) };
    const issueAll = async (node: IssuingNode, agency: string): Promise<string[]> => {
      const ids: string[] = [];
      for (let done = 0; done < PER_SITE; done += 50) {
        const results = await node.service.issueBatch(agencyPrincipal(agency), Array.from({ length: Math.min(50, PER_SITE - done) }, () => ({ type: "business-licence", claims })), context());
        for (const result of results) {
          if (!result.ok) throw new Error(JSON.stringify(result.error));
          ids.push(result.certificate.id);
        }
      }
      await node.service.flush();
      return ids;
    };
    const started = Date.now();
    const [fromA, fromB] = await Promise.all([issueAll(a, "sh-amr"), issueAll(b, "gz-amr")]);
    const elapsedMs = Date.now() - started;
    clearInterval(sampler);
    expect([...errors].filter((e) => /replacement|nonce/i.test(e)), "replacement or nonce errors").to.deep.equal([]);
    expect([...errors], "no anchoring error at all").to.deep.equal([]);

    const envelopes: Envelope[] = [];
    for (const [node, ids, agency] of [[a, fromA, "sh-amr"], [b, fromB, "gz-amr"]] as const) {
      for (const record of await Promise.all(ids.map((id) => node.service.get(agencyPrincipal(agency), id)))) {
        expect(record.status).to.equal("anchored");
        envelopes.push(record.envelope);
      }
    }
    const trustList: TrustedRegistry[] = [{ name: registryNameOf({ production: true }, a.chain.chainId, a.chain.deployment.address), id: a.chain.deployment.registryId, chainId: a.chain.chainId, address: a.chain.deployment.address, rpcUrl: anvil.rpcUrl }];
    const results = await verifyMany(envelopes, { registries: trustList });
    const verdicts = new Map<string, number>();
    for (const result of results) verdicts.set(`${result.issuer?.name} ${result.verdict}`, (verdicts.get(`${result.issuer?.name} ${result.verdict}`) ?? 0) + 1);
    expect(Object.fromEntries(verdicts)).to.deep.equal({ "上海市市场监督管理局 valid": PER_SITE, "广州市市场监督管理局 valid": PER_SITE });
    console.log(`      two sites: ${2 * PER_SITE} certificates issued and anchored at once in ${elapsedMs} ms`);
  });
});
