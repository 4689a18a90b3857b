import { Transaction } from "ethers";

/** A transaction as eth_getBlockByNumber(…, true) returns it. */
export interface RpcTransaction {
  hash: string;
  type?: string;
  from: string;
  to: string | null;
  nonce: string;
  gas: string;
  gasPrice?: string;
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
  input: string;
  value: string;
  chainId?: string;
  accessList?: { address: string; storageKeys: string[] }[];
  v: string;
  r: string;
  s: string;
  yParity?: string;
}

/**
 * The signed bytes of a transaction someone else sent to the node (the journal adopts it), or
 * an explained error when they cannot be rebuilt exactly — e.g. a transaction sent from an
 * impersonated account has no real signature, and no fresh node would accept it again.
 */
export function rawTransactionOf(tx: RpcTransaction): { raw: `0x${string}`; from: string; nonce: number } {
  const type = tx.type === undefined ? 0 : Number(tx.type);
  if (type > 2) throw new Error(`transaction ${tx.hash} is of type ${type}, which the dev-chain journal cannot replay`);
  const rebuilt = Transaction.from({
    type,
    to: tx.to,
    nonce: Number(tx.nonce),
    gasLimit: tx.gas,
    ...(type === 2 ? { maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas } : { gasPrice: tx.gasPrice }),
    data: tx.input,
    value: tx.value,
    ...(tx.chainId !== undefined ? { chainId: BigInt(tx.chainId) } : {}),
    ...(type >= 1 ? { accessList: tx.accessList ?? [] } : {}),
    signature: { r: tx.r, s: tx.s, v: type === 0 ? Number(tx.v) : Number(tx.yParity ?? tx.v) },
  });
  if (rebuilt.hash?.toLowerCase() !== tx.hash.toLowerCase() || rebuilt.from?.toLowerCase() !== tx.from.toLowerCase()) {
    throw new Error(`transaction ${tx.hash} from ${tx.from} cannot be rebuilt from its signature (an impersonated sender?): the dev-chain journal cannot replay it`);
  }
  return { raw: rebuilt.serialized as `0x${string}`, from: rebuilt.from!, nonce: rebuilt.nonce };
}
