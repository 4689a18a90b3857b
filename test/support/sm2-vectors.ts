import { readFileSync } from "node:fs";
import path from "node:path";
import { HDNodeWallet } from "ethers";
import { deployRegistry } from "../../server/chain/deploy";
import { devProvider } from "../../server/chain/dev-node";
import { createRegistryAdmin } from "../../server/chain/registry-admin";
import { createOperatorClient, type OperatorClient } from "../../server/chain/operator";
import { DEV_MNEMONIC } from "../../server/config";
import { parseCredential, type Envelope, type Hex, type SignatureAlgorithm } from "@certchain/sdk";
import { fromHex } from "@certchain/sdk/internal";

export interface Sm2VectorCase {
  description: string;
  alg: SignatureAlgorithm;
  publicKey: Hex;
  envelope: Envelope;
  leaf: Hex;
  root: Hex | null;
  claims: Record<string, unknown>;
}

/** The frozen SM2 credential vectors (test/vectors/envelope-sm2.json). */
export const SM2_VECTORS = JSON.parse(readFileSync(path.join(__dirname, "..", "vectors", "envelope-sm2.json"), "utf8")) as {
  issuer: string;
  issuerUri: string;
  issuerCode: string;
  cases: Sm2VectorCase[];
};

/**
 * On a fresh dev node: the registry at the vectors' address, their agency with its SM2 key and
 * accreditations, and their roots anchored. Returns the trust entry and the agency's operator.
 */
export async function anchorSm2VectorsOnNode(rpcUrl: string): Promise<{ address: Hex; client: OperatorClient; registry: { chainId: number; address: Hex; rpcUrl: string } }> {
  const provider = devProvider(rpcUrl);
  const account = (i: number) => HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).connect(provider);
  const { address } = await deployRegistry(account(0));
  if (address !== SM2_VECTORS.cases[0].envelope.anchor.registry) throw new Error(`the registry landed at ${address}, not at the vectors' address`);
  const admin = createRegistryAdmin(address, account(0));
  await admin.registerAgency(SM2_VECTORS.issuer, "向量测试机构（国密）", SM2_VECTORS.issuerCode);
  for (const vct of new Set(SM2_VECTORS.cases.map((c) => parseCredential(c.envelope.credential).payload.vct as string))) await admin.setAccreditation(SM2_VECTORS.issuer, vct);
  await admin.addSigningKey(SM2_VECTORS.issuer, { alg: "SM2", publicKey: fromHex(SM2_VECTORS.cases[0].publicKey) });
  const operator = account(1);
  await admin.addOperator(SM2_VECTORS.issuer, operator.address);
  const client = createOperatorClient(address, operator);
  for (const root of new Set(SM2_VECTORS.cases.map((c) => c.root).filter((r): r is Hex => r !== null))) await client.anchorRoot(root, 2);
  return { address: address as Hex, client, registry: { chainId: 31337, address: address as Hex, rpcUrl } };
}
