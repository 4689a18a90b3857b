import path from "node:path";
import { HDNodeWallet } from "ethers";
import { openChainGate } from "../../server/chain/chain-gate";
import { ChainWallet } from "../../server/chain/chain-wallet";
import { readDeployment, writeDeployment } from "../../server/chain/deploy";
import { devProvider, waitForRpc } from "../../server/chain/dev-node";
import { reanchor, ReanchorRefused, type ReanchorAgency } from "../../server/anchoring/reanchor";
import { developmentChainFunds, loadConfig } from "../../server/config";
import { createKeyStore } from "../../server/keys/key-store";
import { derivedCreditCode } from "../../server/service/identifiers";
import { acquireDataDirLock, DataDirLockedError } from "../../server/lib/data-dir-lock";
import { createAuditLog } from "../../server/store/audit-log";
import { openDatabase } from "../../server/store/database";
import { createAgencyStore } from "../../server/store/agency-store";
import { parse } from "./args";
import type { Command } from "./command";
import { t, type Text } from "./i18n";
import { CommandFailed, EXIT, UsageError, err, out, printJson } from "./output";
import { io } from "./run-context";

const HELP: Text = {
  en: `Usage: certchain chain reanchor [--redeploy] [--config <file>] [--json]

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

The local dev chain needs none of this: \`npm start\` rebuilds it from its journal.`,
  "zh-CN": `用法：certchain chain reanchor [--redeploy] [--config <文件>] [--json]

用于外部链（CHAIN_RPC_URL）丢失了本服务的上链记录的情况：/readyz 返回 503
CHAIN_STATE_MISMATCH，日志指出链上缺少的根。本命令把链上缺少的每个根重新上链（根不变，
所有证明仍然有效；上链时间改为新区块的时间），为这些根下的证照写入新的上链时间、交易和区块，
重新执行已记录的撤销和暂停，并把每一步写入审计日志。

请在服务所在的机器上、先停止服务再运行，并使用与 \`npm start\` 相同的设置：
DATA_DIR、CHAIN_RPC_URL、CHAIN_MNEMONIC、CERTCHAIN_PASSPHRASE（环境变量或 --config <文件>）。

  --redeploy     若登记合约本身已不存在：只在原地址重新部署，并先按数据目录重新登记机关、
                 资质、签名密钥和操作账户，再重新上链
  --config <文件> 与 \`npm start -- --config\` 相同的 JSON 配置文件
  --json         以 JSON 输出结果

本地开发链不需要此命令：\`npm start\` 会按日志自动重建。`,
};

const M = {
  sub: { en: "unknown subcommand chain {sub} (use: chain reanchor)", "zh-CN": "没有子命令 chain {sub}（可用：chain reanchor）" },
  use: { en: "use: certchain chain reanchor [--redeploy]", "zh-CN": "用法：certchain chain reanchor [--redeploy]" },
  devChain: {
    en: "CHAIN_RPC_URL is not set: reanchor repairs an external chain; the local dev chain is rebuilt from its journal by `npm start`",
    "zh-CN": "未设置 CHAIN_RPC_URL：reanchor 用于修复外部链；本地开发链由 `npm start` 按日志自动重建",
  },
  locked: { en: "{reason} (stop the service first: reanchor rewrites its records)", "zh-CN": "{reason}（请先停止服务：reanchor 会改写服务的记录）" },
  noDeployment: { en: "{file} is missing: it names the registry the certificates are anchored on", "zh-CN": "缺少 {file}：它记录了证照所在的登记合约" },
  noChain: { en: "no chain answers at {url}", "zh-CN": "{url} 上没有可用的链" },
  redeployed: {
    en: "registry deployed again at {address}; registered {agencies} agencies, {keys} keys, {operators} operators",
    "zh-CN": "登记合约已在原地址 {address} 重新部署；重新登记了 {agencies} 个机关、{keys} 个密钥、{operators} 个操作账户",
  },
  roots: { en: "roots: {checked} checked, {reanchored} re-anchored, {repaired} repaired, {intact} intact", "zh-CN": "根：检查 {checked} 个，重新上链 {reanchored} 个，修复 {repaired} 个，完好 {intact} 个" },
  certificates: {
    en: "certificates given a new anchor: {certificates}; revocations and suspensions re-applied: {statuses}",
    "zh-CN": "写入新上链信息的证照：{certificates} 份；重新执行的撤销和暂停：{statuses} 份",
  },
  conflict: { en: "not re-anchored: {conflict}", "zh-CN": "未能重新上链：{conflict}" },
  next: { en: "start the service again: it checks the chain and becomes ready.", "zh-CN": "请重新启动服务：它会检查链并恢复就绪。" },
} satisfies Record<string, Text>;

export const chainCommand: Command = {
  name: "chain",
  get help() {
    return t(HELP);
  },
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== "reanchor") throw new UsageError(sub ? t(M.sub, { sub }) : t(M.use));
    const { values } = parse("chain reanchor", rest, { redeploy: { type: "boolean" }, config: { type: "string" }, json: { type: "boolean" } }, false);
    const config = loadConfig(io().env, values.config ? ["--config", values.config] : []);
    if (!config.chainRpcUrl) throw new UsageError(t(M.devChain));

    let lock;
    try {
      lock = acquireDataDirLock(config.dataDir, { purpose: "certchain chain reanchor" });
    } catch (error) {
      if (error instanceof DataDirLockedError) throw new CommandFailed(t(M.locked, { reason: error.message }));
      throw error;
    }
    const deploymentFile = path.join(config.dataDir, "deployment.json");
    const db = await openDatabase(path.join(config.dataDir, "db")).catch((error) => {
      lock!.release();
      throw error;
    });
    try {
      const deployment = readDeployment(deploymentFile);
      if (!deployment) throw new CommandFailed(t(M.noDeployment, { file: deploymentFile }));
      await waitForRpc(config.chainRpcUrl, 10_000).catch(() => {
        throw new CommandFailed(t(M.noChain, { url: config.chainRpcUrl! }));
      });
      const provider = devProvider(config.chainRpcUrl, deployment.chainId, config.chainTimeoutMs);
      const gate = openChainGate(deployment.chainId);
      const wallet = (index: number) =>
        new ChainWallet(HDNodeWallet.fromPhrase(config.chainMnemonic, undefined, `m/44'/60'/0'/0/${index}`).privateKey, provider, { gate, inclusionTimeoutMs: config.chainTxTimeoutMs });

      // The agencies this data directory serves (with their operator accounts, whose keys it holds), and any other the root authority registered over the API.
      const keys = createKeyStore({ db, passphrase: config.passphrase });
      const agencies: ReanchorAgency[] = [];
      for (const record of await createAgencyStore(db).list()) {
        const operatorKey = await keys.operatorKey(record.operator);
        agencies.push({
          slug: record.slug,
          name: record.name,
          creditCode: record.creditCode,
          types: record.types,
          operator: operatorKey ? new ChainWallet(operatorKey, provider, { gate, inclusionTimeoutMs: config.chainTxTimeoutMs }) : undefined,
        });
      }
      for await (const registered of createAuditLog(db).withAction("agency.register")) {
        if (agencies.some((a) => a.slug === registered.subject)) continue;
        const data = registered.data ?? {};
        agencies.push({
          slug: registered.subject,
          name: String(data.name ?? registered.subject),
          creditCode: typeof data.creditCode === "string" ? data.creditCode : derivedCreditCode(registered.subject),
          types: Array.isArray(data.types) ? (data.types as string[]) : [],
        });
      }

      let report;
      try {
        report = await reanchor({
          db,
          provider,
          deployment,
          rootAuthority: wallet(0),
          agencies,
          keys,
          redeploy: values.redeploy === true,
          fundOperators: developmentChainFunds(config),
          actor: `cli:chain-reanchor:${io().env.USER ?? "operator"}`,
          // Its progress, line by line, on the terminal.
          logger: { error: err, warn: err, info: err, debug: () => undefined },
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
        if (report.redeployed) out(t(M.redeployed, { address: deployment.address, ...report.registered }));
        out(t(M.roots, { checked: report.roots.checked, reanchored: report.roots.reanchored, repaired: report.roots.repaired, intact: report.roots.intact }));
        out(t(M.certificates, { certificates: report.certificates, statuses: report.statusesReapplied }));
        for (const conflict of report.roots.conflicts) out(t(M.conflict, { conflict }));
        out(t(M.next));
      }
      return report.roots.conflicts.length > 0 ? EXIT.FAILED : EXIT.OK;
    } finally {
      await db.close();
      lock.release();
    }
  },
};
