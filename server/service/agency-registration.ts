import { findTypeById } from "@certchain/sdk";
import { revertNameOf } from "../chain/revert-name";
import { REGISTRATION_STEPS, type AgencyRecord, type RegistrationStep } from "../domain/agency";
import { apiError } from "../errors";
import { createMutex } from "../lib/mutex";
import type { WriteOp } from "../store/database";
import type { AgencyRequest } from "./agency-request";
import { chainRead, chainWriteFailure, rootChainWrite } from "./chain-call";
import { ROOT_WRITES, fundAccount, type ServiceContext } from "./context";

/** Test hook (faults.registrationCrashAfter): the process "dies" right after this step's chain write, before it is recorded. */
export class RegistrationCrash extends Error {
  constructor(step: string) {
    super(`simulated crash after the chain write of step ${step}`);
  }
}

/** Who asked, for the audit entry written when the agency becomes active. */
export interface RegistrationActor {
  actor: string;
  requestId: string;
}

const nextStep = (step: RegistrationStep | undefined): RegistrationStep | undefined => REGISTRATION_STEPS[step === undefined ? 0 : REGISTRATION_STEPS.indexOf(step) + 1];

/**
 * Registering an agency this node will serve, as a small persisted state machine. The record
 * and both new keys (signing key, operator account) are written first, sealed, in one synced
 * write; then each step is a chain write that is recorded once done:
 *
 *   registered → accredited → key-registered → operator-registered → funded → active
 *
 * Every step first looks at the chain, so a start that finds a registration cut short (a crash,
 * a chain outage) finishes it without writing anything twice. Only when the chain shows the
 * slug or the credit code held by an agency that is not this one (another site got there
 * between the check and the write) is the registration undone: record and keys deleted, nothing
 * of ours on chain.
 */
export function createAgencyRegistration(ctx: ServiceContext) {
  const { registry, keys, agencyStore, catalogue } = ctx;
  const admin = () => ctx.rootAdmin();
  const rootWrite = <T>(write: () => Promise<T>): Promise<T> => rootChainWrite(ctx, write);
  const read = <T>(work: () => Promise<T>): Promise<T> => chainRead(ctx, work);
  const crashAfter = (step: RegistrationStep) => {
    if (ctx.faults?.registrationCrashAfter === step) throw new RegistrationCrash(step);
  };
  const at = () => new Date(ctx.now()).toISOString();
  // One registration at a time: two requests for one slug (or one credit code) would both find it
  // free, and each write its own record and keys.
  const exclusive = createMutex();

  async function save(record: AgencyRecord, extra: WriteOp[] = []): Promise<void> {
    await ctx.db.write([...agencyStore.putOps(record), ...extra]);
    await ctx.served.put(record);
  }

  /** Deletes a registration that cannot complete, with its (never registered) keys. */
  async function undo(record: AgencyRecord, why: string): Promise<void> {
    const keyOps = await keys.deleteAgencyKeysOps(record.slug, [record.operator]);
    await ctx.audit.append([{ at: at(), actor: "node", requestId: `registration:${record.slug}`, action: "agency.register-undone", subject: record.slug, data: { why } }], [...agencyStore.deleteOps(record.slug), ...keyOps]);
    ctx.served.forget(record.slug);
    ctx.logger.warn(`registration of agency ${record.slug} undone: ${why}`);
  }

  /** Does one step's chain write unless the chain shows it done; throws when it cannot be done (and undoes what cannot complete). */
  async function perform(record: AgencyRecord, step: RegistrationStep): Promise<void> {
    switch (step) {
      case "created":
        return;
      case "registered": {
        const onChain = await read(() => registry.agency(record.slug));
        if (onChain.registered) {
          if (onChain.name !== record.name || onChain.creditCode !== record.creditCode) {
            await undo(record, `the registry holds another agency under the slug ${record.slug} (${onChain.name}, ${onChain.creditCode})`);
            throw apiError("AGENCY_EXISTS");
          }
          return; // ours: registered before a crash
        }
        const holder = await read(() => registry.agencyOfCreditCode(record.creditCode));
        if (holder !== undefined) {
          await undo(record, `the credit code ${record.creditCode} is registered to another agency (${holder})`);
          throw apiError("CREDIT_CODE_TAKEN", undefined, { agencyId: holder });
        }
        try {
          await ctx.chainLock(ROOT_WRITES, () => admin().registerAgency(record.slug, record.name, record.creditCode));
        } catch (error) {
          const revert = revertNameOf(error);
          // Another site on the same registry got there between the check and the write.
          if (revert === "CertchainAgencyAlreadyRegistered" || revert === "CertchainCreditCodeTaken") return perform(record, step);
          throw chainWriteFailure(error, { role: "root", account: await ctx.rootAccount() });
        }
        return;
      }
      case "accredited": {
        for (const id of record.types) {
          const vct = (catalogue.byId(id) ?? { type: findTypeById(id)! }).type.vct;
          const current = await read(() => registry.accreditation(record.slug, vct));
          if (current.validUntil === 0) await rootWrite(() => admin().setAccreditation(record.slug, vct));
        }
        return;
      }
      case "key-registered": {
        const publicKey = await keys.activePublicKey(record.slug);
        const keyId = keys.activeSigner(record.slug)?.keyId;
        if (publicKey === undefined || keyId === undefined) throw new Error(`agency ${record.slug} has no signing key in this node's key store`);
        const registered = await read(() => registry.signingKeys(record.slug));
        if (!registered.some((key) => key.keyId.toLowerCase() === keyId.toLowerCase())) await rootWrite(() => admin().addSigningKey(record.slug, publicKey));
        return;
      }
      case "operator-registered": {
        const holder = await read(() => registry.operatorAgency(record.operator));
        if (holder === undefined) await rootWrite(() => admin().addOperator(record.slug, record.operator));
        return;
      }
      case "funded": {
        if (ctx.fundOperators !== undefined) {
          const balance = await read(() => ctx.provider.getBalance(record.operator));
          if (balance < ctx.fundOperators / 2n) await rootWrite(() => fundAccount(ctx.rootSigner, record.operator, ctx.fundOperators!));
        }
        return;
      }
    }
  }

  /** Runs the record's remaining steps; the agency is served once it returns. */
  async function complete(record: AgencyRecord, by: RegistrationActor): Promise<AgencyRecord> {
    let current = record;
    for (let step = nextStep(current.step); step !== undefined; step = nextStep(current.step)) {
      await perform(current, step);
      crashAfter(step);
      current = { ...current, step, updatedAt: at() };
      if (step !== "funded") await save(current);
    }
    const active: AgencyRecord = { ...current, state: "active", step: undefined, updatedAt: at() };
    delete active.step;
    await ctx.audit.append(
      [{ at: at(), actor: by.actor, requestId: by.requestId, action: "agency.register", subject: record.slug, data: { name: record.name, creditCode: record.creditCode, types: record.types, operator: record.operator, algorithm: (await keys.loadSigningKey(record.slug))?.alg ?? "EdDSA" } }],
      agencyStore.putOps(active),
    );
    await ctx.served.put(active);
    void ctx.funds.check(record.slug).catch(() => undefined);
    ctx.logger.info(`agency ${record.slug} (${record.name}) registered; operator account ${record.operator}`);
    return active;
  }

  /** The record, its first signing key and its own operator account, sealed, in one synced write. */
  async function create(request: AgencyRequest, signingKey?: "existing"): Promise<AgencyRecord> {
    const operator = keys.newOperatorKey(request.slug);
    // The agency's first key is of the suite asked for (EdDSA, ES256, SM2).
    const signing = signingKey === "existing" ? { ops: [] } : keys.newSigningKey(request.slug, request.algorithm ?? "EdDSA");
    const record: AgencyRecord = {
      slug: request.slug,
      name: request.name,
      creditCode: request.creditCode,
      types: [...request.types],
      state: "registering",
      step: "created",
      operator: operator.address,
      createdAt: at(),
      updatedAt: at(),
    };
    await ctx.db.write([...agencyStore.putOps(record), ...signing.ops, ...operator.ops]);
    crashAfter("created");
    return record;
  }

  /**
   * Registers a new agency that this node serves. A registration of the same agency left
   * unfinished is resumed; anything else under the slug is AGENCY_EXISTS.
   */
  async function register(request: AgencyRequest, by: RegistrationActor): Promise<AgencyRecord> {
    const existing = await agencyStore.get(request.slug);
    if (existing !== undefined) {
      const same = existing.name === request.name && existing.creditCode === request.creditCode && existing.types.join() === request.types.join();
      if (existing.state !== "registering" || !same) throw apiError("AGENCY_EXISTS");
      return complete(existing, by);
    }
    const onChain = await read(() => registry.agency(request.slug));
    if (onChain.registered) throw apiError("AGENCY_EXISTS");
    const holder = await read(() => registry.agencyOfCreditCode(request.creditCode));
    if (holder !== undefined) throw apiError("CREDIT_CODE_TAKEN", undefined, { agencyId: holder });
    return complete(await create(request), by);
  }

  return {
    /** One registration at a time (see `register`). */
    register: (request: AgencyRequest, by: RegistrationActor): Promise<AgencyRecord> => exclusive(() => register(request, by)),

    /**
     * On start: finishes (or undoes) every registration a previous run left unfinished, and
     * takes over the agencies a data directory of an earlier release served (their signing keys
     * are here, but no record): each gets a record and an operator account of its own, through
     * the same steps. Failures are logged; the next start tries again.
     */
    async resume(): Promise<void> {
      const by = { actor: "node", requestId: "start" };
      for (const record of await agencyStore.list()) {
        if (record.state !== "registering") continue;
        try {
          await complete(record, by);
          ctx.logger.info(`finished the registration of ${record.slug}, which a previous run had left at step ${record.step}`);
        } catch (error) {
          if (error instanceof RegistrationCrash) throw error;
          ctx.logger.warn(`the registration of ${record.slug} is still unfinished (at step ${record.step}): ${error instanceof Error ? error.message : String(error)}; the next start, or POST /v1/agencies with the same body, continues it`);
        }
      }
      const inStore = new Set((await agencyStore.list()).map((record) => record.slug));
      for (const slug of await keys.agenciesWithKeys()) {
        if (inStore.has(slug) || ctx.served.get(slug) !== undefined) continue;
        try {
          const onChain = await read(() => registry.agency(slug));
          if (!onChain.registered) continue;
          const accredited: string[] = [];
          for (const entry of catalogue.versions()) {
            const window = await read(() => registry.accreditation(slug, entry.type.vct));
            if (window.validUntil !== 0 && !accredited.includes(entry.type.id)) accredited.push(entry.type.id);
          }
          const record = await create({ slug, name: onChain.name, creditCode: onChain.creditCode, types: accredited }, "existing");
          await complete({ ...record, step: "registered" }, by);
          ctx.logger.info(`took over agency ${slug} from an earlier release's data directory, with an operator account of its own: ${record.operator}`);
        } catch (error) {
          if (error instanceof RegistrationCrash) throw error;
          ctx.logger.warn(`could not take over agency ${slug} (its signing key is in this data directory): ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    },
  };
}

export type AgencyRegistration = ReturnType<typeof createAgencyRegistration>;
