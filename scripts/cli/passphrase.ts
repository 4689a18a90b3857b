import { resealOps } from "../../server/keys/sealed-records";
import { parse } from "./args";
import type { Command } from "./command";
import { t, type Text } from "./i18n";
import { secretFrom, withOfflineNode } from "./offline-node";
import { CommandFailed, EXIT, UsageError, out } from "./output";
import { io } from "./run-context";

const HELP: Text = {
  en: `Usage: certchain passphrase change [--new-passphrase-file <file>] [--config <file>]

Seals every secret of the service (signing keys, operator keys, the bearer tokens' secret, the
personal-data key) again under a new passphrase, in one atomic write: interrupted at any point,
everything opens with the old passphrase or everything with the new one, never a mix. Then point
CERTCHAIN_PASSPHRASE_FILE (or CERTCHAIN_PASSPHRASE) at the new one and start the service.

Run it with the service stopped and the settings \`npm start\` uses (the current passphrase from
CERTCHAIN_PASSPHRASE_FILE or CERTCHAIN_PASSPHRASE); the new one comes from
--new-passphrase-file or CERTCHAIN_NEW_PASSPHRASE.`,
  "zh-CN": `用法：certchain passphrase change [--new-passphrase-file <文件>] [--config <文件>]

用新口令重新加密服务的全部密钥（签名密钥、上链账户密钥、令牌密钥、个人信息数据密钥），一次原子写入：无论在哪一步中断，
要么全部仍用旧口令打开，要么全部用新口令打开，不会混杂。之后把 CERTCHAIN_PASSPHRASE_FILE
（或 CERTCHAIN_PASSPHRASE）改为新口令再启动服务。

请先停止服务，并使用与 \`npm start\` 相同的设置（当前口令来自 CERTCHAIN_PASSPHRASE_FILE 或
CERTCHAIN_PASSPHRASE）；新口令来自 --new-passphrase-file 或 CERTCHAIN_NEW_PASSPHRASE。`,
};

const M = {
  use: { en: "use: certchain passphrase change [--new-passphrase-file <file>]", "zh-CN": "用法：certchain passphrase change [--new-passphrase-file <文件>]" },
  newPassphrase: { en: "new passphrase", "zh-CN": "新口令" },
  same: { en: "the new passphrase is the current one: nothing to do", "zh-CN": "新口令与当前口令相同：无需更改" },
  wrong: { en: "the current passphrase does not open the stored keys: nothing was changed", "zh-CN": "当前口令打不开已存的密钥：未做任何更改" },
  done: {
    en: "sealed {count} secrets under the new passphrase; point CERTCHAIN_PASSPHRASE_FILE (or CERTCHAIN_PASSPHRASE) at it before starting the service",
    "zh-CN": "已用新口令重新加密 {count} 项密钥；启动服务前请把 CERTCHAIN_PASSPHRASE_FILE（或 CERTCHAIN_PASSPHRASE）改为新口令",
  },
} satisfies Record<string, Text>;

/** Test hook (CERTCHAIN_FAULT=passphrase:before-write | passphrase:after-write): the process dies there. */
function maybeCrash(point: string): void {
  if (io().env.CERTCHAIN_FAULT === `passphrase:${point}`) process.kill(process.pid, "SIGKILL");
}

export const passphraseCommand: Command = {
  name: "passphrase",
  get help() {
    return t(HELP);
  },
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== "change") throw new UsageError(t(M.use));
    const { values } = parse("passphrase change", rest, { "new-passphrase-file": { type: "string" }, config: { type: "string" } }, false);
    const next = secretFrom(values["new-passphrase-file"], "CERTCHAIN_NEW_PASSPHRASE", M.newPassphrase, "new-passphrase-file");
    return withOfflineNode("certchain passphrase change", values.config, async ({ config, db }) => {
      if (next === config.passphrase) throw new UsageError(t(M.same));
      let ops;
      try {
        ops = await resealOps(db, config.passphrase, next);
      } catch {
        throw new CommandFailed(t(M.wrong));
      }
      maybeCrash("before-write");
      // One LevelDB batch, synced: all of them or none.
      await db.write(ops);
      maybeCrash("after-write");
      out(t(M.done, { count: String(ops.length) }));
      return EXIT.OK;
    });
  },
};
