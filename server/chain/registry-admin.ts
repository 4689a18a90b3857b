import { Contract, type ContractTransactionReceipt, type Signer } from "ethers";
import { ALLOWED_ALGORITHMS, CERTCHAIN_REGISTRY_ABI, agencyIdOf, creditCodeToBytes18, keyIdOf, toHexBytes, typeIdOf, type Hex, type RawPublicKey } from "@certchain/sdk/internal";

/** The root authority's writes to the registry, each waiting for its receipt. */
export function createRegistryAdmin(address: string, rootAuthority: Signer) {
  const contract = new Contract(address, CERTCHAIN_REGISTRY_ABI, rootAuthority);
  const send = async (method: string, ...args: unknown[]): Promise<ContractTransactionReceipt> => {
    const tx = await contract.getFunction(method)(...args);
    return (await tx.wait())!;
  };
  return {
    contract,
    /** `creditCode`: the agency's unified social credit code, 18 characters (its certificate numbers' issuer segment). */
    registerAgency: (slug: string, name: string, creditCode: string) => send("registerAgency", slug, name, creditCodeToBytes18(creditCode)),
    renameAgency: (slug: string, name: string) => send("renameAgency", agencyIdOf(slug), name),
    /** `validUntil` 0 (default) is open-ended. Times in seconds. */
    setAccreditation: (slug: string, vct: string, validFrom = 0, validUntil = 0) =>
      send("setAccreditation", agencyIdOf(slug), typeIdOf(vct), validFrom, validUntil),
    addSigningKey: (slug: string, key: RawPublicKey, validFrom = 0) =>
      send("addSigningKey", agencyIdOf(slug), keyIdOf(key).keyId, ALLOWED_ALGORITHMS[key.alg], toHexBytes(key.publicKey), validFrom),
    retireSigningKey: (keyId: Hex, validUntil: number) => send("retireSigningKey", keyId, validUntil),
    revokeSigningKey: (keyId: Hex, validUntil: number) => send("revokeSigningKey", keyId, validUntil),
    addOperator: (slug: string, account: string) => send("addOperator", agencyIdOf(slug), account),
    removeOperator: (account: string) => send("removeOperator", account),
  };
}

export type RegistryAdmin = ReturnType<typeof createRegistryAdmin>;
