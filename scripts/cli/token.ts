import { createKeyStore } from "../../server/keys/key-store";
import { createTokenAuthority } from "../../server/auth/tokens";
import { createTokenRegistry } from "../../server/auth/token-registry";
import { writePrivateOnce } from "../../server/lib/private-files";
import { parse } from "./args";
import type { Command } from "./command";
import { t, type Text } from "./i18n";
import { userPath, withOfflineNode } from "./offline-node";
import { CommandFailed, EXIT, UsageError, out } from "./output";

const HELP: Text = {
  en: `Usage: certchain token root --to <file> [--days <n>] [--config <file>]

Mints a new token of the root authority (say the first one was lost or expires) and writes it to
<file>, readable by its owner only. Run it on the service's host with the service stopped and the
settings \`npm start\` uses (it needs the passphrase). --days: how long it is valid [365].`,
  "zh-CN": `用法：certchain token root --to <文件> [--days <天数>] [--config <文件>]

签发一个新的根管理机构令牌（例如首个令牌丢失或即将过期），写入 <文件>，仅所有者可读。请在服务所在
机器上、先停止服务再运行，并使用与 \`npm start\` 相同的设置（需要口令）。--days：有效天数 [365]。`,
};

const M = {
  use: { en: "use: certchain token root --to <file>", "zh-CN": "用法：certchain token root --to <文件>" },
  exists: { en: "{file} exists: choose another file", "zh-CN": "{file} 已存在：请换一个文件名" },
  days: { en: "--days must be a whole number from 1 to 366", "zh-CN": "--days 须为 1 到 366 的整数" },
  wrote: { en: "wrote a root token valid {days} days to {file} (0600)", "zh-CN": "已把有效期 {days} 天的根令牌写入 {file}（权限 0600）" },
} satisfies Record<string, Text>;

export const tokenCommand: Command = {
  name: "token",
  get help() {
    return t(HELP);
  },
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== "root") throw new UsageError(t(M.use));
    const { values } = parse("token root", rest, { to: { type: "string" }, days: { type: "string" }, config: { type: "string" } }, false);
    if (!values.to) throw new UsageError(t(M.use));
    const days = Number(values.days ?? 365);
    if (!Number.isInteger(days) || days < 1 || days > 366) throw new UsageError(t(M.days));
    return withOfflineNode("certchain token root", values.config, async ({ config, db }) => {
      let secret;
      try {
        secret = await createKeyStore({ db, passphrase: config.passphrase }).tokenSecret();
      } catch (error) {
        throw new CommandFailed((error as Error).message);
      }
      const registry = await createTokenRegistry(db);
      const minted = await createTokenAuthority(secret, registry.isRevoked).mint({ kind: "root", subject: "root-authority" }, days * 24 * 3600);
      if (!writePrivateOnce(userPath(values.to!), `${minted.token}\n`)) throw new UsageError(t(M.exists, { file: values.to! }));
      await registry.remember({ id: minted.id, kind: "root", subject: "root-authority", expiresAt: minted.expiresAt.toISOString(), createdAt: new Date().toISOString() });
      out(t(M.wrote, { days: String(days), file: values.to! }));
      return EXIT.OK;
    });
  },
};
