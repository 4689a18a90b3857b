import type { Hex } from "@certchain/sdk";
import type { RegistryReads } from "./registry-reads";

/**
 * The registry's id (`registryId()`), read once from the chain and kept: envelopes name it so
 * verifiers can tell this registry from another region's at the same chain id and address.
 * A registry deployed before ids existed has none (the call reverts): envelopes then go without.
 */
export function createRegistryIdSource(registry: Pick<RegistryReads, "registryId">) {
  let known: Hex | null | undefined;
  let reading: Promise<Hex | null> | undefined;

  const read = (): Promise<Hex | null> => {
    reading ??= registry.registryId().then(
      (id) => (known = id),
      (error: unknown) => {
        // Not an answer: read again next time.
        reading = undefined;
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
