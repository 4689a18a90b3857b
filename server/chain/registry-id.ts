import { Contract, type Provider } from "ethers";
import { CERTCHAIN_REGISTRY_ABI, type Hex } from "@certchain/sdk";

/**
 * The registry's id (`registryId()`), read once from the chain and kept: envelopes name it so
 * verifiers can tell this registry from another region's at the same chain id and address.
 * A registry deployed before ids existed has none (the call reverts): envelopes then go without.
 */
export function createRegistryIdSource(provider: Provider, registryAddress: Hex) {
  const registry = new Contract(registryAddress, CERTCHAIN_REGISTRY_ABI, provider);
  let known: Hex | null | undefined;
  let reading: Promise<Hex | null> | undefined;

  const read = (): Promise<Hex | null> => {
    reading ??= registry.registryId().then(
      (id: string) => (known = id.toLowerCase() as Hex),
      (error: { code?: string }) => {
        reading = undefined;
        // A revert is an answer (no id); a network failure is not, and is tried again.
        if (error?.code === "CALL_EXCEPTION" || error?.code === "BAD_DATA") return (known = null);
        throw error;
      },
    );
    return reading;
  };

  return {
    /** The id, reading it if not known yet; rejects while the chain cannot be reached. */
    async get(): Promise<Hex | undefined> {
      return (known !== undefined ? known : await read()) ?? undefined;
    },
    /** The id if already known, without waiting (issuing goes on while the chain is down); starts a read otherwise. */
    current(): Hex | undefined {
      if (known === undefined) read().catch(() => undefined);
      return known ?? undefined;
    },
  };
}

export type RegistryIdSource = ReturnType<typeof createRegistryIdSource>;
