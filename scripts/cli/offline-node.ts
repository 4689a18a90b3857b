import { readFileSync } from "node:fs";
import path from "node:path";
import { loadConfig, type Config } from "../../server/config";
import { acquireDataDirLock, DataDirLockedError } from "../../server/lib/data-dir-lock";
import { ensurePrivateDir, withPrivateUmask } from "../../server/lib/private-files";
import { openDatabase, type Database } from "../../server/store/database";
import { t, type Text } from "./i18n";
import { CommandFailed, UsageError } from "./output";
import { io } from "./run-context";

const M = {
  locked: { en: "{reason} (stop the service first: this command works on its data directory)", "zh-CN": "{reason}（请先停止服务：此命令直接操作其数据目录）" },
  noSecret: {
    en: "give the {what}: --{flag} <file> (a file holding only it), or the environment variable {env}",
    "zh-CN": "请给出{what}：--{flag} <文件>（只含该口令的文件），或环境变量 {env}",
  },
  unreadable: { en: "cannot read {file}: {cause}", "zh-CN": "无法读取 {file}：{cause}" },
} satisfies Record<string, Text>;

/** A path the user gave, against the run's working directory. */
export const userPath = (file: string): string => path.resolve(io().cwd, file);

/**
 * A secret from `--<flag> <file>` or the environment variable `env` (never from the command
 * line itself: it would stay in the shell's history and the process list).
 */
export function secretFrom(file: string | undefined, env: string, what: Text, flag: string): string {
  if (file !== undefined) {
    try {
      const secret = readFileSync(userPath(file), "utf8").replace(/\r?\n$/, "");
      if (secret.length > 0) return secret;
    } catch (error) {
      throw new UsageError(t(M.unreadable, { file, cause: (error as NodeJS.ErrnoException).code ?? String(error) }));
    }
  }
  const fromEnv = io().env[env];
  if (fromEnv) return fromEnv;
  throw new UsageError(t(M.noSecret, { what: t(what), flag, env }));
}

/**
 * Runs `work` on the service's data directory while the service is stopped: its settings as
 * `npm start` reads them (environment, or --config), its lock taken, its database open, and
 * everything created in it private (0700 directory, 0600 files).
 */
export async function withOfflineNode<T>(purpose: string, configFile: string | undefined, work: (node: { config: Config; db: Database }) => Promise<T>): Promise<T> {
  const config = loadConfig(io().env, configFile ? ["--config", userPath(configFile)] : []);
  if (!path.isAbsolute(io().env.DATA_DIR ?? "") && !configFile) config.dataDir = path.resolve(io().cwd, io().env.DATA_DIR ?? "./data");
  return withPrivateUmask(async () => {
    ensurePrivateDir(config.dataDir);
    let lock;
    try {
      lock = acquireDataDirLock(config.dataDir, { purpose });
    } catch (error) {
      if (error instanceof DataDirLockedError) throw new CommandFailed(t(M.locked, { reason: error.message }));
      throw error;
    }
    try {
      const db = await openDatabase(path.join(config.dataDir, "db"));
      try {
        return await work({ config, db });
      } finally {
        await db.close();
      }
    } finally {
      lock.release();
    }
  });
}
