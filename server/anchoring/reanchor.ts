import { getCreateAddress, keccak256, type Provider, type Signer } from "ethers";
import { agencyIdOf, findTypeById, type Hex } from "@certchain/sdk";
import { deployRegistry, type DeploymentRecord } from "../chain/deploy";
import { createOperatorClient } from "../chain/operator";
import { createRegistryAdmin } from "../chain/registry-admin";
import { createRegistryReads } from "../chain/registry-reads";
import { anchorOf, type CertificateRecord, type KeptCertificate, type StatusAction } from "../domain/certificate";
import type { KeyStore } from "../keys/key-store";
import type { Logger } from "../lib/logger";
import { createPersonalDataCipher } from "../lib/personal-data-cipher";
import { createAuditLog, type NewAuditEntry } from "../store/audit-log";
import { createBatchStore, type BatchRecord } from "../store/batch-store";
import { createCertificateStore } from "../store/certificate-store";
import type { Database, WriteOp } from "../store/database";

/** An agency as the service knows it: enough to register it again on a redeployed registry. */
export interface ReanchorAgency {
  slug: string;
  name: string;
  /** Unified social credit code registered with it. */
  creditCode: string;
  /** Certificate type ids it is accredited for. */
  types: readonly string[];
  /** The operator account that anchors for it (agencies this node serves). */
  operator?: Signer;
}

export interface ReanchorOptions {
  db: Database;
  provider: Provider;
  deployment: DeploymentRecord;
  rootAuthority: Signer;
  agencies: readonly ReanchorAgency[];
  keys: KeyStore;
  /** Deploy the registry again when it is gone — only at its recorded address. */
  redeploy: boolean;
  /** Who runs it, for the audit log. */
  actor: string;
  logger: Logger;
  now?: () => number;
  /** Proofs are rewritten this many certificates per LevelDB write (default 1,000). */
  slice?: number;
  /** A development chain (its root authority funded by the chain): operator accounts get this much (wei) from the root authority before they anchor. */
  fundOperators?: bigint;
}

export interface ReanchorReport {
  /** The registry was deployed again (at its recorded address); its new code hash. */
  redeployed?: { codeHash: Hex; transaction: Hex };
  registered: { agencies: number; keys: number; operators: number };
  roots: { checked: number; reanchored: number; repaired: number; intact: number; conflicts: string[] };
  certificates: number;
  statusesReapplied: number;
  keysRetired: number;
}

/** The chain cannot be repaired this way; the message says why and what to do. */
export class ReanchorRefused extends Error {}

const STATE_ACTION: Partial<Record<CertificateRecord["status"], StatusAction>> = { revoked: "revoke", suspended: "suspend" };
const CHAIN_STATE_OF: Record<string, CertificateRecord["status"]> = { active: "anchored", suspended: "suspended", revoked: "revoked" };

/**
 * Repairs an external chain that lost this service's anchors. Every batch the service recorded
 * as anchored is checked on chain; a missing root is anchored again by its agency's operator
 * (same root, so every proof stays valid; the anchor time becomes the new block's), and the
 * records under it get the new anchor time, transaction and block. Revocations and suspensions
 * recorded for those certificates are applied again. Each re-anchored root is an audit entry.
 *
 * If the registry contract itself is gone, nothing happens unless `redeploy`: then it is deployed
 * again only if it lands at the recorded address (the deployer's next nonce decides), and the
 * agencies, their accreditations, signing keys and operators are registered again from the
 * service's own data before the roots are. Safe to run again after an interruption: roots the
 * chain holds are only reconciled (their records take the chain's anchor).
 */
export async function reanchor(options: ReanchorOptions): Promise<ReanchorReport> {
  const { db, provider, deployment, logger } = options;
  const now = options.now ?? Date.now;
  const address = deployment.address;
  const registry = createRegistryReads({ provider, address, chainId: deployment.chainId });
  const admin = createRegistryAdmin(address, options.rootAuthority);
  const batches = createBatchStore(db);
  const certificates = createCertificateStore(db, createPersonalDataCipher(await options.keys.personalDataKey()));
  const audit = createAuditLog(db);
  const report: ReanchorReport = { registered: { agencies: 0, keys: 0, operators: 0 }, roots: { checked: 0, reanchored: 0, repaired: 0, intact: 0, conflicts: [] }, certificates: 0, statusesReapplied: 0, keysRetired: 0 };
  const at = () => new Date(now()).toISOString();
  const entry = (action: string, subject: string, data: Record<string, unknown>): NewAuditEntry => ({ at: at(), actor: options.actor, requestId: `reanchor:${subject}`, action, subject, data });

  if (Number((await provider.getNetwork()).chainId) !== deployment.chainId) {
    throw new ReanchorRefused(`the chain is not chain ${deployment.chainId}, where the registry was deployed: check CHAIN_RPC_URL`);
  }
  const code = await provider.getCode(address);
  if (code === "0x") {
    if (!options.redeploy) {
      throw new ReanchorRefused(`there is no registry contract at ${address} any more. Run again with --redeploy to deploy it there again and register the agencies, keys and operators from this data directory.`);
    }
    if (!deployment.salt) {
      throw new ReanchorRefused(`deployment.json records no registry salt, so a registry deployed again would have another registry id than the one the certificates name`);
    }
    const deployer = await options.rootAuthority.getAddress();
    const nonce = await provider.getTransactionCount(deployer, "pending");
    const landing = getCreateAddress({ from: deployer, nonce });
    if (landing.toLowerCase() !== address.toLowerCase()) {
      throw new ReanchorRefused(
        `a registry deployed now by ${deployer} (next nonce ${nonce}) would land at ${landing}, not at ${address} where the certificates say it is. ` +
          `It lands there only from the nonce it was first deployed with; refusing to deploy elsewhere.`,
      );
    }
    // The recorded salt gives the new contract the registry id the certificates already name.
    const deployed = await deployRegistry(options.rootAuthority, undefined, deployment.salt);
    const codeHash = keccak256(await provider.getCode(address)) as Hex;
    report.redeployed = { codeHash, transaction: deployed.transaction };
    logger.info(`deployed the registry again at ${address} (transaction ${deployed.transaction})`);
    await reregister(options, admin, report);
    await audit.append([entry("chain.redeploy", address, { transaction: deployed.transaction, block: deployed.block, codeHash, ...report.registered })]);
  } else if (deployment.codeHash && keccak256(code).toLowerCase() !== deployment.codeHash.toLowerCase()) {
    throw new ReanchorRefused(`the contract at ${address} is not the registry deployed there (its code differs): this is not the chain the certificates were anchored on`);
  }

  const reapply: KeptCertificate[] = [];
  for (const batch of await batches.anchoredBatches()) {
    report.roots.checked += 1;
    const onChain = await registry.anchorOf(batch.root);
    let anchor: { transaction: Hex; block: number; anchoredAt: string };
    if (onChain === undefined) {
      const operator = options.agencies.find((a) => a.slug === batch.agency)?.operator;
      if (!operator) {
        report.roots.conflicts.push(`${batch.root}: no operator account for ${batch.agency} on this node`);
        continue;
      }
      await ensureFunded(options, await operator.getAddress());
      const receipt = await createOperatorClient(address, operator).anchorRoot(batch.root, batch.leaves.length, batch.auditHead);
      const block = await provider.getBlock(receipt.blockNumber);
      anchor = { transaction: receipt.hash as Hex, block: receipt.blockNumber, anchoredAt: new Date(block!.timestamp * 1000).toISOString() };
      report.roots.reanchored += 1;
    } else if (onChain.agencyId.toLowerCase() !== agencyIdOf(batch.agency).toLowerCase()) {
      report.roots.conflicts.push(`${batch.root}: anchored on chain by another agency (${onChain.agencyId})`);
      continue;
    } else {
      const anchoredAt = new Date(onChain.anchoredAt * 1000).toISOString();
      if (anchoredAt === batch.anchoredAt) {
        report.roots.intact += 1;
        continue;
      }
      // Anchored by an earlier, interrupted run: the chain's anchor wins.
      const blockNumber = onChain.blockNumber;
      const transaction = await registry.anchoringTransaction(batch.root, blockNumber);
      anchor = { transaction: (transaction ?? batch.transaction) as Hex, block: blockNumber, anchoredAt };
      report.roots.repaired += 1;
    }
    reapply.push(...(await rewrite(batch, anchor)));
  }

  report.statusesReapplied = await reapplyStatuses(reapply);

  if (report.redeployed) {
    const latest = await provider.getBlock("latest");
    for (const agency of options.agencies) {
      for (const key of await options.keys.publicKeys(agency.slug)) {
        if (key.state !== "retired") continue;
        // Retired after the roots are anchored again: certificates it signed keep verifying.
        await admin.retireSigningKey(key.keyId, latest!.timestamp + 1);
        report.keysRetired += 1;
      }
    }
  }
  return report;

  /** Gives every record of the batch its new anchor; the batch record (with the audit entry) last. */
  async function rewrite(batch: BatchRecord, anchor: { transaction: Hex; block: number; anchoredAt: string }): Promise<KeptCertificate[]> {
    const changed: KeptCertificate[] = [];
    const slice = Math.max(1, options.slice ?? 1_000);
    // Certificates whose proofs are stored beside them share their batch's anchor: one write moves them all.
    const shared = await certificates.batchAnchorOf(batch.root);
    if (shared !== undefined) await db.write(certificates.reanchorOps(batch.root, { ...shared, ...anchor }));
    for (let start = 0; start < batch.ids.length; start += slice) {
      const ids = batch.ids.slice(start, start + slice);
      // Records anchored before proofs were kept apart hold their anchored envelope: rewritten.
      const updated: WriteOp[] = [];
      const stored = await certificates.storedAnchors(ids);
      for (const [i, previous] of stored.entries()) {
        if (previous?.status !== "anchored") continue;
        updated.push(...(await certificates.anchorRewriteOps(ids[i], { ...previous, transaction: anchor.transaction, block: anchor.block, anchoredAt: anchor.anchoredAt })));
      }
      if (updated.length > 0) await db.write(updated);
      const current = (await certificates.getMany(ids)).filter((r): r is KeptCertificate => r !== undefined && anchorOf(r).status === "anchored");
      report.certificates += current.length;
      changed.push(...current.filter((r) => STATE_ACTION[r.status] !== undefined));
    }
    const done: BatchRecord = { ...batch, transaction: anchor.transaction, block: anchor.block, anchoredAt: anchor.anchoredAt };
    await audit.append(
      [entry("chain.reanchor", batch.root, { agency: batch.agency, size: batch.leaves.length, previous: { transaction: batch.transaction, block: batch.block, anchoredAt: batch.anchoredAt }, ...anchor })],
      batches.putOps(done, batch),
    );
    logger.info(`re-anchored ${batch.root} (${batch.agency}, ${batch.leaves.length} certificates): ${batch.anchoredAt} → ${anchor.anchoredAt}`);
    return changed;
  }

  /** Revocations and suspensions the records hold but the chain does not: sent again, 100 per transaction. */
  async function reapplyStatuses(records: KeptCertificate[]): Promise<number> {
    let applied = 0;
    for (const agency of new Set(records.map((r) => r.agency))) {
      const mine = records.filter((r) => r.agency === agency);
      const onChain = await registry.reader.statuses(agencyIdOf(agency), mine.map((r) => r.leaf));
      const todo = mine.filter((r, i) => CHAIN_STATE_OF[onChain[i].state] !== r.status);
      const operator = options.agencies.find((a) => a.slug === agency)?.operator;
      if (!operator || todo.length === 0) continue;
      const client = createOperatorClient(address, operator);
      const groups = new Map<string, KeptCertificate[]>();
      for (const record of todo) {
        const key = `${STATE_ACTION[record.status]}:${record.statusReason ?? 0}`;
        groups.set(key, [...(groups.get(key) ?? []), record]);
      }
      for (const [key, group] of groups) {
        const [action, reason] = key.split(":");
        for (let start = 0; start < group.length; start += 100) {
          const chunk = group.slice(start, start + 100);
          const updates = chunk.map((r) => {
            const anchor = anchorOf(r) as { root: Hex; proof: Hex[] };
            return { leaf: r.leaf, root: anchor.root, proof: anchor.proof };
          });
          const receipt = await client.changeStatus(action as StatusAction, updates, Number(reason));
          await audit.append(chunk.map((r) => entry(`chain.reapply-${action}`, r.id, { agency, reason: Number(reason), leaf: r.leaf, transaction: receipt.hash })));
          applied += chunk.length;
        }
      }
    }
    if (applied > 0) logger.info(`re-applied ${applied} revocations and suspensions`);
    return applied;
  }
}

/** Registers the agencies, their accreditations, every signing key they had, and their operators again. */
/** On a development chain, an operator account without funds gets some from the root authority. */
async function ensureFunded(options: ReanchorOptions, account: string): Promise<void> {
  if (options.fundOperators === undefined) return;
  if ((await options.provider.getBalance(account)) >= options.fundOperators / 2n) return;
  const tx = await options.rootAuthority.sendTransaction({ to: account, value: options.fundOperators });
  await tx.wait();
}

async function reregister(options: ReanchorOptions, admin: ReturnType<typeof createRegistryAdmin>, report: ReanchorReport): Promise<void> {
  for (const agency of options.agencies) {
    await admin.registerAgency(agency.slug, agency.name, agency.creditCode);
    report.registered.agencies += 1;
    for (const type of agency.types) {
      const known = findTypeById(type);
      if (known) await admin.setAccreditation(agency.slug, known.vct);
    }
    for (const key of await options.keys.publicKeys(agency.slug)) {
      await admin.addSigningKey(agency.slug, key.publicKey);
      report.registered.keys += 1;
    }
    if (agency.operator) {
      await admin.addOperator(agency.slug, await agency.operator.getAddress());
      report.registered.operators += 1;
    }
    options.logger.info(`registered ${agency.name} (${agency.slug}) again`);
  }
}
