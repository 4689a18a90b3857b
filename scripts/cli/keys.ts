import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { readDeployment, writeDeployment } from "../../server/chain/deploy";
import { exportKeys, importKeysOps, KeyBackupError, parseKeyBackup } from "../../server/keys/key-backup";
import { writePrivateOnce } from "../../server/lib/private-files";
import { parse } from "./args";
import type { Command } from "./command";
import { t, type Text } from "./i18n";
import { secretFrom, userPath, withOfflineNode } from "./offline-node";
import { CommandFailed, EXIT, UsageError, out } from "./output";

const HELP: Text = {
  en: `Usage: certchain keys export --to <file> [--backup-passphrase-file <file>] [--config <file>]
       certchain keys import --from <file> [--backup-passphrase-file <file>] [--config <file>]

export  writes every sealed key of the service (agencies' signing keys, their operator accounts'
        keys, the bearer tokens' secret, the personal-data key) to <file>, sealed under a backup
        passphrase of its own, with what goes with them: the agencies, their certificate serials
        and status-list allocations, the tokens minted, and the registry (deployment.json). The
        file is 0600.
import  restores such a file into an empty data directory (keys sealed again under the
        service's passphrase); then \`npm start\` with CHAIN_RPC_URL serves the agencies again.

Run them on the service's host with the service stopped, with the settings \`npm start\` uses
(DATA_DIR, CERTCHAIN_PASSPHRASE_FILE or CERTCHAIN_PASSPHRASE; environment or --config). The
backup passphrase comes from --backup-passphrase-file or CERTCHAIN_BACKUP_PASSPHRASE.`,
  "zh-CN": `用法：certchain keys export --to <文件> [--backup-passphrase-file <文件>] [--config <文件>]
      certchain keys import --from <文件> [--backup-passphrase-file <文件>] [--config <文件>]

export  把服务的全部加密密钥（各机关的签名密钥、上链账户密钥、令牌密钥、个人信息数据密钥）用单独的备份口令加密后写入
        <文件>，并附上与之配套的记录：机关、证照序号和状态列表序号、已发放的令牌、登记合约
        （deployment.json）。文件权限为 0600。
import  把这样的文件恢复到一个空的数据目录（密钥改用服务口令加密）；之后带 CHAIN_RPC_URL 运行
        \`npm start\` 即可重新承载这些机关。

请在服务所在机器上、先停止服务再运行，并使用与 \`npm start\` 相同的设置（DATA_DIR、
CERTCHAIN_PASSPHRASE_FILE 或 CERTCHAIN_PASSPHRASE；环境变量或 --config）。备份口令来自
--backup-passphrase-file 或 CERTCHAIN_BACKUP_PASSPHRASE。`,
};

const M = {
  use: { en: "use: certchain keys export --to <file> | certchain keys import --from <file>", "zh-CN": "用法：certchain keys export --to <文件> | certchain keys import --from <文件>" },
  noTo: { en: "missing --to <file>: where to write the backup", "zh-CN": "缺少 --to <文件>：备份写到哪里" },
  noFrom: { en: "missing --from <file>: the backup to restore", "zh-CN": "缺少 --from <文件>：要恢复的备份" },
  exists: { en: "{file} exists: choose another file (a backup is never written over)", "zh-CN": "{file} 已存在：请换一个文件名（不会覆盖已有备份）" },
  backupPassphrase: { en: "backup passphrase", "zh-CN": "备份口令" },
  sameAsService: { en: "the backup passphrase must differ from the service's passphrase", "zh-CN": "备份口令不能与服务口令相同" },
  exported: { en: "wrote {file}: {keys} sealed secrets, {agencies} agencies (0600; keep it apart from the backup passphrase)", "zh-CN": "已写入 {file}：{keys} 项加密密钥，{agencies} 个机关（权限 0600；请与备份口令分开保管）" },
  imported: { en: "restored {keys} sealed secrets and {agencies} agencies into {dir}; start the service (npm start) to serve them", "zh-CN": "已把 {keys} 项加密密钥和 {agencies} 个机关恢复到 {dir}；启动服务（npm start）即可承载它们" },
  otherRegistry: { en: "{file} names another registry than the backup: restore into an empty data directory", "zh-CN": "{file} 记录的登记合约与备份不同：请恢复到空的数据目录" },
} satisfies Record<string, Text>;

export const keysCommand: Command = {
  name: "keys",
  get help() {
    return t(HELP);
  },
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== "export" && sub !== "import") throw new UsageError(t(M.use));
    const { values, positionals } = parse(`keys ${sub}`, rest, { to: { type: "string" }, from: { type: "string" }, "backup-passphrase-file": { type: "string" }, config: { type: "string" } }, false);
    if (positionals.length > 0) throw new UsageError(t(M.use));
    const backupPassphrase = () => secretFrom(values["backup-passphrase-file"], "CERTCHAIN_BACKUP_PASSPHRASE", M.backupPassphrase, "backup-passphrase-file");
    if (sub === "export") {
      if (!values.to) throw new UsageError(t(M.noTo));
      const file = userPath(values.to);
      if (existsSync(file)) throw new UsageError(t(M.exists, { file: values.to }));
      const secret = backupPassphrase();
      return withOfflineNode("certchain keys export", values.config, async ({ config, db }) => {
        if (secret === config.passphrase) throw new UsageError(t(M.sameAsService));
        const backup = await exportKeys(db, { passphrase: config.passphrase, backupPassphrase: secret, deployment: readDeployment(path.join(config.dataDir, "deployment.json")) });
        if (!writePrivateOnce(file, `${JSON.stringify(backup, null, 2)}\n`)) throw new UsageError(t(M.exists, { file: values.to! }));
        out(t(M.exported, { file: values.to!, keys: String(backup.sealed.length), agencies: String(backup.records.filter((r) => r.sublevel === "agencies").length) }));
        return EXIT.OK;
      });
    }
    if (!values.from) throw new UsageError(t(M.noFrom));
    const text = readFileSync(userPath(values.from), "utf8");
    const secret = backupPassphrase();
    return withOfflineNode("certchain keys import", values.config, async ({ config, db }) => {
      try {
        const backup = parseKeyBackup(text);
        const ops = await importKeysOps(db, backup, { passphrase: config.passphrase, backupPassphrase: secret });
        const deploymentFile = path.join(config.dataDir, "deployment.json");
        const current = readDeployment(deploymentFile);
        if (backup.deployment && current && current.address.toLowerCase() !== backup.deployment.address.toLowerCase()) throw new CommandFailed(t(M.otherRegistry, { file: deploymentFile }));
        await db.write(ops);
        if (backup.deployment && !current) writeDeployment(deploymentFile, backup.deployment);
        out(t(M.imported, { keys: String(backup.sealed.length), agencies: String(backup.records.filter((r) => r.sublevel === "agencies").length), dir: config.dataDir }));
        return EXIT.OK;
      } catch (error) {
        if (error instanceof KeyBackupError) throw new CommandFailed(error.message);
        throw error;
      }
    });
  },
};
