import { Transaction, Wallet, type Provider, type TransactionRequest, type TransactionResponse } from "ethers";
import { apiError } from "../errors";
import { createKeyedMutex } from "../lib/mutex";
import type { ChainFollower } from "./chain-follower";
import type { ChainGate } from "./chain-gate";
import type { Journal } from "./journal";

/** Test hook: the process kills itself (SIGKILL) at this point of its `nth` transaction. */
export interface WalletFault {
  point: "journaled" | "broadcast";
  nth: number;
}

export interface ChainWalletOptions {
  gate: ChainGate;
  /** Dev chain only: every transaction is journaled before broadcast, its block before return. */
  journal?: { journal: Journal; follower: ChainFollower };
  /** How long a broadcast transaction may take to be mined. */
  inclusionTimeoutMs: number;
  pollMs?: number;
  fault?: WalletFault;
}

// One queue per account across wallet instances: each send takes the next nonce.
const sendQueue = createKeyedMutex();
let sends = 0;

/**
 * The service's signer for chain writes. `sendTransaction` goes through the chain gate (no write
 * while the chain is not ready), and returns only once the transaction is mined — on the dev
 * chain, once its block is in the journal too, so nothing the service stores afterwards
 * (anchor times, proofs, statuses) can refer to a block a replay would not rebuild.
 *
 * On the dev chain the signed transaction is journaled (fsync) before it is broadcast: a crash
 * at any instant leaves either no trace (never sent) or a record the next start reconciles.
 */
export class ChainWallet extends Wallet {
  constructor(
    privateKey: string,
    provider: Provider,
    private readonly options: ChainWalletOptions,
  ) {
    super(privateKey, provider);
  }

  override connect(provider: Provider | null): ChainWallet {
    return new ChainWallet(this.privateKey, provider!, this.options);
  }

  override sendTransaction(request: TransactionRequest): Promise<TransactionResponse> {
    return this.options.gate.write(async () => {
      const generation = this.options.gate.generation();
      const response = await sendQueue(this.address.toLowerCase(), () => this.signAndBroadcast(request, generation));
      const blockNumber = await this.inclusionOf(response.hash);
      await this.options.journal?.follower.syncTo(blockNumber);
      return response;
    });
  }

  private async signAndBroadcast(request: TransactionRequest, generation: number): Promise<TransactionResponse> {
    const populated = await this.populateTransaction(request);
    delete populated.from;
    const raw = await this.signTransaction(populated);
    const { hash, nonce } = Transaction.from(raw);
    const sequence = ++sends;
    this.options.journal?.journal.append([{ type: "tx", hash: hash as `0x${string}`, raw: raw as `0x${string}`, from: this.address, nonce }]);
    this.maybeCrash("journaled", sequence);
    // Prepared against a node that has since been lost (or a chain found not ours): never send it to what replaced it.
    if (this.options.gate.generation() !== generation || this.options.gate.status().phase !== "ready") {
      this.options.journal?.journal.append([{ type: "abandoned", hash: hash as `0x${string}`, reason: "not-sent" }]);
      throw apiError("CHAIN_UNAVAILABLE", "The chain changed while the transaction was prepared; it was not sent.");
    }
    let response: TransactionResponse;
    try {
      response = await this.provider!.broadcastTransaction(raw);
    } catch (error) {
      await this.settleFailedBroadcast(hash!);
      throw error;
    }
    this.maybeCrash("broadcast", sequence);
    return response;
  }

  /**
   * A failed broadcast may still have reached the node: a Hardhat node answers a reverted
   * transaction with an error and mines it all the same. Journal what the node says; when it
   * cannot be asked, the record stays pending and the next reconcile decides.
   */
  private async settleFailedBroadcast(hash: string): Promise<void> {
    const journal = this.options.journal;
    if (!journal) return;
    try {
      const known = await this.provider!.getTransaction(hash);
      if (known === null) journal.journal.append([{ type: "abandoned", hash: hash as `0x${string}`, reason: "not-sent" }]);
      else if (known.blockNumber !== null) await journal.follower.syncTo(known.blockNumber);
    } catch {
      // unknown outcome: leave it to reconcile
    }
  }

  /** The block that mined `hash`; every poll has the provider's deadline, the whole wait its own. */
  private async inclusionOf(hash: string): Promise<number> {
    const deadline = Date.now() + this.options.inclusionTimeoutMs;
    for (;;) {
      const receipt = await this.provider!.getTransactionReceipt(hash);
      if (receipt) return receipt.blockNumber;
      if (Date.now() > deadline) throw new Error(`transaction ${hash} was not mined within ${this.options.inclusionTimeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs ?? 250));
    }
  }

  private maybeCrash(point: WalletFault["point"], sequence: number): void {
    const fault = this.options.fault;
    if (fault && fault.point === point && fault.nth === sequence) process.kill(process.pid, "SIGKILL");
  }
}

/** Parses CERTCHAIN_FAULT ("journaled:3", "broadcast:1"): test-only. */
export function parseWalletFault(text: string | undefined): WalletFault | undefined {
  const match = /^(journaled|broadcast):(\d+)$/.exec(text ?? "");
  return match ? { point: match[1] as WalletFault["point"], nth: Number(match[2]) } : undefined;
}
