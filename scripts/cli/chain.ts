import path from "node:path";
import { HDNodeWallet } from "ethers";
import { openChainGate } from "../../server/chain/chain-gate";
import { ChainWallet } from "../../server/chain/chain-wallet";
import { readDeployment, writeDeployment } from "../../server/chain/deploy";
import { devProvider, waitForRpc } from "../../server/chain/dev-node";
import { reanchor, ReanchorRefused, type ReanchorAgency } from "../../server/chain/reanchor";
import { loadConfig } from "../../server/config";
import { createKeyStore } from "../../server/keys/key-store";
import { acquireDataDirLock, DataDirLockedError } from "../../server/lib/data-dir-lock";
import { createAuditLog } from "../../server/store/audit-log";
import { openDatabase } from "../../server/store/database";
import { DEMO_AGENCIES, operatorAccountIndex } from "../lib/demo-agencies";
import { parse } from "./args";
import type { Command } from "./command";
import { CommandFailed, EXIT, UsageError, err, out, printJson } from "./output";

const HELP = `Usage: certchain chain reanchor [--redeploy] [--config <file>] [--json]

For an external chain (CHAIN_RPC_URL) that lost this service's anchors: /readyz answers 503
CHAIN_STATE_MISMATCH and the log names a root the chain does not hold. Anchors again every
root the chain lacks (same roots, so every proof stays valid; the anchor time becomes the new
block's), gives the certificates under them their new anchor time, transaction and block,
re-applies recorded revocations and suspensions, and records each step in the audit log.

Run it on the service's host, with the service stopped, and the settings \`npm start\` uses:
DATA_DIR, CHAIN_RPC_URL, CHAIN_MNEMONIC, CERTCHAIN_PASSPHRASE (environment or --config <file>).

  --redeploy     if the registry contract itself is gone, deploy it again - only at its
                 recorded address - and register the agencies, accreditations, signing keys
                 and operators again from the data directory before re-anchoring
  --config <f>   the JSON config file \`npm start -- --config\` takes
  --json         print the report as JSON

The local dev chain needs none of this: \`npm start\` rebuilds it from its journal.`;

export const chainCommand: Command = {
  name: "chain",
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== "reanchor") throw new UsageError(sub ? `unknown subcommand chain ${sub} (use: chain reanchor)` : "use: certchain chain reanchor [--redeploy]");
    const { values } = parse("chain reanchor", rest, { redeploy: { type: "boolean" }, config: { type: "string" }, json: { type: "boolean" } }, false);
    const config = loadConfig(process.env, values.config ? ["--config", values.config] : []);
    if (!config.chainRpcUrl) throw new UsageError("CHAIN_RPC_URL is not set: reanchor repairs an external chain; the local dev chain is rebuilt from its journal by `npm start`");

    let lock;
    try {
      lock = acquireDataDirLock(config.dataDir, { purpose: "certchain chain reanchor" });
    } catch (error) {
      if (error instanceof DataDirLockedError) throw new CommandFailed(`${error.message} (stop the service first: reanchor rewrites its records)`);
      throw error;
    }
    const deploymentFile = path.join(config.dataDir, "deployment.json");
    const db = await openDatabase(path.join(config.dataDir, "db")).catch((error) => {
      lock!.release();
      throw error;
    });
    try {
      const deployment = readDeployment(deploymentFile);
      if (!deployment) throw new CommandFailed(`${deploymentFile} is missing: it names the registry the certificates are anchored on`);
      await waitForRpc(config.chainRpcUrl, 10_000).catch(() => {
        throw new CommandFailed(`no chain answers at ${config.chainRpcUrl}`);
      });
      const provider = devProvider(config.chainRpcUrl, deployment.chainId, config.chainTimeoutMs);
      const gate = openChainGate(deployment.chainId);
      const wallet = (index: number) =>
        new ChainWallet(HDNodeWallet.fromPhrase(config.chainMnemonic, undefined, `m/44'/60'/0'/0/${index}`).privateKey, provider, { gate, inclusionTimeoutMs: config.chainTxTimeoutMs });

      // The agencies this data directory knows: the ones npm start seeds (with their operators), and any the root authority registered over the API.
      const agencies: ReanchorAgency[] = DEMO_AGENCIES.map((a) => ({ slug: a.slug, name: a.name, types: a.types, operator: wallet(operatorAccountIndex(a.slug)!) }));
      for await (const registered of createAuditLog(db).withAction("agency.register")) {
        if (agencies.some((a) => a.slug === registered.subject)) continue;
        agencies.push({ slug: registered.subject, name: String(registered.data?.name ?? registered.subject), types: (registered.data?.types as string[]) ?? [] });
      }

      let report;
      try {
        report = await reanchor({
          db,
          provider,
          deployment,
          rootAuthority: wallet(0),
          agencies,
          keys: createKeyStore({ db, passphrase: config.passphrase }),
          redeploy: values.redeploy === true,
          actor: `cli:chain-reanchor:${process.env.USER ?? "operator"}`,
          log: (line) => err(line),
        });
      } catch (error) {
        if (error instanceof ReanchorRefused) throw new CommandFailed(error.message);
        throw error;
      } finally {
        provider.destroy();
      }
      if (report.redeployed) writeDeployment(deploymentFile, { ...deployment, codeHash: report.redeployed.codeHash, deployer: deployment.deployer ?? (await wallet(0).getAddress()) });
      if (values.json) printJson(report);
      else {
        if (report.redeployed) out(`registry deployed again at ${deployment.address}; registered ${report.registered.agencies} agencies, ${report.registered.keys} keys, ${report.registered.operators} operators`);
        out(`roots: ${report.roots.checked} checked, ${report.roots.reanchored} re-anchored, ${report.roots.repaired} repaired, ${report.roots.intact} intact`);
        out(`certificates given a new anchor: ${report.certificates}; revocations and suspensions re-applied: ${report.statusesReapplied}`);
        for (const conflict of report.roots.conflicts) out(`not re-anchored: ${conflict}`);
        out("start the service again: it checks the chain and becomes ready.");
      }
      return report.roots.conflicts.length > 0 ? EXIT.FAILED : EXIT.OK;
    } finally {
      await db.close();
      lock.release();
    }
  },
};
