import type { DeploymentRecord } from "../chain/deploy";
import type { Database, WriteOp } from "../store/database";
import { isSealedBox, reseal, sealedEntries, SEALED_SUBLEVELS, type SealedEntry } from "./sealed-records";

/**
 * What a node needs besides the chain to serve its agencies again in an empty data directory:
 * every sealed key (signing keys, operator keys, the tokens' secret, the personal-data key that
 * opens certificates' personal data and keys the status-list index permutation), sealed under a
 * backup passphrase of its own, and the plain records that go with them — the agencies, their
 * certificate serials and status-list allocations (so numbers are not handed out twice: the
 * restored personal-data key permutes indexes as before, the allocation says how many are
 * taken), the tokens minted (revocations stay revoked), and the registry (deployment.json).
 */
export interface KeyBackup {
  format: "certchain-key-backup";
  version: 1;
  createdAt: string;
  deployment: DeploymentRecord | null;
  sealed: SealedEntry[];
  records: { sublevel: (typeof PLAIN_SUBLEVELS)[number]; key: string; value: unknown }[];
}

// `status-indexes`: the sequential counters of nodes from before indexes were random (service/numbering.ts).
const PLAIN_SUBLEVELS = ["agencies", "key-algorithms", "serials", "status-indexes", "status-allocation", "tokens"] as const;

export class KeyBackupError extends Error {}

export async function exportKeys(db: Database, options: { passphrase: string; backupPassphrase: string; deployment: DeploymentRecord | undefined; now?: () => number }): Promise<KeyBackup> {
  const sealed = reseal(await sealedEntries(db), options.passphrase, options.backupPassphrase);
  const records: KeyBackup["records"] = [];
  for (const sublevel of PLAIN_SUBLEVELS) {
    for (const [key, value] of await db.sublevel<unknown>(sublevel).iterator().all()) records.push({ sublevel, key, value });
  }
  return { format: "certchain-key-backup", version: 1, createdAt: new Date((options.now ?? Date.now)()).toISOString(), deployment: options.deployment ?? null, sealed, records };
}

/** Reads a backup file's text. @throws KeyBackupError when it is not one. */
export function parseKeyBackup(text: string): KeyBackup {
  let backup: KeyBackup;
  try {
    backup = JSON.parse(text);
  } catch {
    throw new KeyBackupError("the file is not JSON: not a certchain key backup");
  }
  if (backup?.format !== "certchain-key-backup" || backup.version !== 1 || !Array.isArray(backup.sealed) || !Array.isArray(backup.records)) {
    throw new KeyBackupError("the file is not a certchain key backup (format certchain-key-backup, version 1)");
  }
  for (const entry of backup.sealed) if (!SEALED_SUBLEVELS.includes(entry.sublevel)) throw new KeyBackupError(`unexpected sealed entry in ${String(entry.sublevel)}`);
  for (const entry of backup.records) if (!PLAIN_SUBLEVELS.includes(entry.sublevel)) throw new KeyBackupError(`unexpected record in ${String(entry.sublevel)}`);
  return backup;
}

/**
 * The writes that restore `backup` into `db`, every secret sealed again under the node's
 * passphrase (one atomic write for the caller). Only into a data directory that holds no keys
 * and no agencies: a restore never mixes with what a node already has.
 * @throws KeyBackupError on a wrong backup passphrase or a data directory in use.
 */
export async function importKeysOps(db: Database, backup: KeyBackup, options: { passphrase: string; backupPassphrase: string }): Promise<WriteOp[]> {
  const held = (await sealedEntries(db)).filter((entry) => entry.sublevel !== "meta" || isSealedBox(entry.value));
  const agencies = await db.sublevel("agencies").keys({ limit: 1 }).all();
  if (held.length > 0 || agencies.length > 0) throw new KeyBackupError("this data directory already holds keys or agencies: restore into an empty data directory");
  let sealed: SealedEntry[];
  try {
    sealed = reseal(backup.sealed, options.backupPassphrase, options.passphrase);
  } catch {
    throw new KeyBackupError("cannot open the backup: wrong backup passphrase, or the file was altered");
  }
  return [
    ...sealed.map((entry): WriteOp => ({ type: "put", sublevel: db.sublevel(entry.sublevel), key: entry.key, value: entry.value })),
    ...backup.records.map((entry): WriteOp => ({ type: "put", sublevel: db.sublevel(entry.sublevel), key: entry.key, value: entry.value })),
  ];
}
