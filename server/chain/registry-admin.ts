import { Contract, Interface, id, type ContractTransactionReceipt, type Signer } from "ethers";
import { ALLOWED_ALGORITHMS, CERTCHAIN_REGISTRY_ABI, agencyIdOf, creditCodeToBytes18, keyIdOf, toHexBytes, typeIdOf, type Hex, type RawPublicKey } from "@certchain/sdk/internal";
import { receiptOf } from "./receipt";

/** The registry's role of root authority (OpenZeppelin AccessControl): each site holds it with an account of its own. */
export const ROOT_AUTHORITY_ROLE = id("ROOT_AUTHORITY_ROLE");

// AccessControl's functions, which verifiers never need (the SDK's ABI leaves them out).
const ACCESS_CONTROL_ABI = ["function grantRole(bytes32 role, address account)", "function hasRole(bytes32 role, address account) view returns (bool)"];
// Parsed once (ethers parses an ABI array anew for every Contract; an admin is made per request).
const adminInterface = new Interface([...CERTCHAIN_REGISTRY_ABI, ...ACCESS_CONTROL_ABI]);

/** The root authority's writes to the registry, each waiting for its receipt. */
export function createRegistryAdmin(address: string, rootAuthority: Signer) {
  const contract = new Contract(address, adminInterface, rootAuthority);
  const send = async (method: string, ...args: unknown[]): Promise<ContractTransactionReceipt> => {
    const tx = await contract.getFunction(method)(...args);
    return receiptOf(tx);
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
    /**
     * Lets another site's account act as root authority on this registry (register its own
     * agencies, their keys and operators) with nonces of its own: each site writes from its own account.
     */
    addSite: (account: string) => send("grantRole", ROOT_AUTHORITY_ROLE, account),
    isSite: (account: string): Promise<boolean> => contract.getFunction("hasRole")(ROOT_AUTHORITY_ROLE, account),
    /** Registers a type once: the SHA-256 (0x hex) of its metadata document and its four-character type code. */
    registerType: (vct: string, metadataHash: Hex, typeCode: string) => send("registerType", vct, metadataHash, toHexBytes(new TextEncoder().encode(typeCode))),
  };
}

export type RegistryAdmin = ReturnType<typeof createRegistryAdmin>;
