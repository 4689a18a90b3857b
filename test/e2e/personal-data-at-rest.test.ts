import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { findTypeById, verify, type Envelope } from "@certchain/sdk";
import { searchDatabase, searchFiles } from "../support/data-dir-search";
import { freePort } from "../support/ports";
import { api, killLeftoverNode, startServiceProcess, waitFor, type ServiceProcess } from "../support/service-process";

// Issue 21, finding 3, "every store included": a whole `npm start` data directory (LevelDB, the
// chain journal, the local node's JSON-RPC log, deployment.json, demo.json) after certificates
// with distinctive personal data were issued singly and in a batch, revoked, one erased, over HTTP.
const PERSON = { name: "上官外部探测甲", spouse: "东方外部探测乙", idA: "310101198203037777", idB: "310101198404046666" };

describe("e2e: no personal data anywhere in npm start's data directory (issue 21)", function () {
  this.timeout(300_000);
  let dataDir: string;
  let service: ServiceProcess | undefined;

  beforeEach(() => (dataDir = mkdtempSync(path.join(tmpdir(), "certchain-e2e-pd-"))));
  afterEach(async () => {
    await service?.stop().catch(() => undefined);
    killLeftoverNode(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("issued, batched, revoked and erased certificates leave no name or ID number in any file, in any form", async function () {
    service = await startServiceProcess(dataDir, { chainPort: await freePort() });
    const { demo } = service;
    const mca = demo.agencies.find((a) => a.types.includes("marriage-certificate"))!;
    const claims = structuredClone(findTypeById("marriage-certificate")!.schema.examples[0]) as any;
    claims.holder_name = PERSON.name;
    claims.spouses[0] = { ...claims.spouses[0], name: PERSON.name, id_number: PERSON.idA };
    claims.spouses[1] = { ...claims.spouses[1], name: PERSON.spouse, id_number: PERSON.idB };
    const single = await api(demo, "POST", "/v1/certificates", mca.token, { type: "marriage-certificate", claims });
    expect(single.status, JSON.stringify(single.body)).to.equal(201);
    const batch = await api(demo, "POST", "/v1/certificates/batch", mca.token, { items: [{ type: "marriage-certificate", claims }, { type: "marriage-certificate", claims }] });
    expect(batch.status, JSON.stringify(batch.body)).to.equal(200);
    const ids: string[] = [single.body.id, ...batch.body.results.map((r: any) => r.id)];
    const anchored = await waitFor("the certificates anchored", async () => {
      const records = await Promise.all(ids.map((id) => api(demo, "GET", `/v1/certificates/${id}`, mca.token)));
      return records.every((r) => r.body.status === "anchored") ? records.map((r) => r.body.envelope as Envelope) : undefined;
    });
    expect((await api(demo, "POST", `/v1/certificates/${ids[1]}/revoke`, mca.token, { reason: 1 })).status).to.equal(200);
    const erased = await api(demo, "POST", `/v1/certificates/${ids[2]}/erase`, demo.rootToken, {});
    expect(erased.status, JSON.stringify(erased.body)).to.equal(200);
    expect((await api(demo, "GET", `/v1/certificates/${ids[2]}`, mca.token)).status).to.equal(410);
    const registries = [{ chainId: demo.chainId, address: demo.registry as `0x${string}`, rpcUrl: demo.rpcUrl }];
    expect((await verify(anchored[2], { registries })).verdict).to.equal("valid");

    await service.stop();
    service = undefined;
    killLeftoverNode(dataDir);
    const values = Object.values(PERSON);
    expect(searchFiles(dataDir, values)).to.deep.equal([]);
    expect(await searchDatabase(path.join(dataDir, "db"), values)).to.deep.equal([]);
  });
});
