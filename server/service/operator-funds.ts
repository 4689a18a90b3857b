import { formatEther, type Provider } from "ethers";
import type { OperatorFunds } from "../domain/agency";
import type { Logger } from "../lib/logger";
import type { ServedAgencies } from "./served-agencies";

/** Gas of the costliest transaction an operator sends (an anchor is ~45,000–95,000; a status change of a few certificates more). */
const GAS_PER_TRANSACTION = 200_000n;

export interface OperatorFundsOptions {
  provider: Provider;
  served: ServedAgencies;
  logger: Logger;
  now: () => number;
  /** Default 15 s. */
  intervalMs?: number;
  /** Dev chain: funds an account found without (the root authority pays). */
  topUp?: (agency: string, account: string) => Promise<void>;
}

/**
 * Whether each served agency's operator account can pay for its next transaction: read on chain
 * now and then, and at once when a write failed for want of funds. The log says so once each
 * time an account runs dry or is funded again, naming the agency and the account; /readyz lists
 * the accounts without funds.
 */
export function createOperatorFunds(options: OperatorFundsOptions) {
  const { provider, served, logger } = options;
  const known = new Map<string, OperatorFunds>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function neededNow(): Promise<bigint> {
    const fees = await provider.getFeeData();
    const price = fees.maxFeePerGas ?? fees.gasPrice ?? 0n;
    return price * GAS_PER_TRANSACTION;
  }

  function record(agency: string, account: string, balance: bigint, needed: bigint): OperatorFunds {
    const funded = balance >= needed;
    const entry: OperatorFunds = { agency, account, balance: balance.toString(), needed: needed.toString(), funded, checkedAt: new Date(options.now()).toISOString() };
    const before = known.get(agency);
    known.set(agency, entry);
    const changed = before === undefined ? !funded : before.funded !== funded || before.account !== account;
    if (changed) {
      if (!funded) {
        logger.warn(
          `operator account ${account} of agency ${agency} is out of funds (balance ${formatEther(balance)}, a transaction needs about ${formatEther(needed)}): ` +
            `its certificates stay pending and its status changes are refused (503 OPERATOR_UNFUNDED) until someone sends funds to ${account}`,
        );
      } else logger.info(`operator account ${account} of agency ${agency} is funded again (balance ${formatEther(balance)}): anchoring resumes`);
    }
    return entry;
  }

  async function check(agency: string): Promise<OperatorFunds | undefined> {
    const servedAgency = served.get(agency);
    if (servedAgency === undefined) return undefined;
    let [balance, needed] = await Promise.all([provider.getBalance(servedAgency.account), neededNow()]);
    if (balance < needed && options.topUp) {
      await options.topUp(agency, servedAgency.account);
      balance = await provider.getBalance(servedAgency.account);
    }
    return record(agency, servedAgency.account, balance, needed);
  }

  async function checkAll(): Promise<void> {
    await Promise.allSettled(served.list().map((agency) => check(agency.slug)));
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => void checkAll().finally(schedule), options.intervalMs ?? 15_000);
    timer.unref();
  }

  return {
    check,
    /** The last reading of every served agency's operator. */
    all: (): OperatorFunds[] => served.list().flatMap((agency) => (known.has(agency.slug) ? [known.get(agency.slug)!] : [])),
    /** A transaction of `agency`'s operator went through: if it was last seen without funds, read it again (and log that it is funded). */
    succeeded(agency: string): void {
      if (known.get(agency)?.funded === false) void check(agency).catch(() => undefined);
    },
    /** Reads again the accounts last seen without funds (someone may have funded them since). */
    async recheckUnfunded(): Promise<void> {
      await Promise.allSettled([...known.values()].filter((entry) => !entry.funded).map((entry) => check(entry.agency)));
    },
    unfunded: (): OperatorFunds[] => [...known.values()].filter((entry) => !entry.funded && served.get(entry.agency) !== undefined),
    /** A write of `agency`'s operator failed for want of funds: read its balance again now (and log if that changes things). */
    reportUnfunded(agency: string): void {
      void check(agency).catch(() => undefined);
    },
    start(): void {
      void checkAll().finally(schedule);
    },
    stop(): void {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export type OperatorFundsTracker = ReturnType<typeof createOperatorFunds>;
