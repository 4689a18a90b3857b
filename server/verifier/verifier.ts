import {
  checkTrustList,
  createRegistryReader,
  verify,
  verifyMany,
  type Hex,
  type RegistryProbe,
  type RegistryReader,
  type TrustedRegistry,
  type VerificationResult,
  type VerifyAnyOptions,
} from "@certchain/sdk";

/** One trusted registry's readiness, as GET /readyz reports it. */
export interface RegistryReadiness {
  name: string;
  id: Hex | null;
  chainId: number;
  address: Hex;
  ready: boolean;
  /** Each endpoint: reachable, right chain (id and genesis), right registry id, its head block; or why not. */
  endpoints: RegistryProbe["endpoints"];
}

export interface VerifierReadiness {
  ready: boolean;
  registries: RegistryReadiness[];
}

export interface VerifierOptions {
  /** Deadline of each chain read for trust entries without their own `timeoutMs`. Default 5,000 ms. */
  registryTimeoutMs?: number;
  /** Blocks an anchor needs (its block and those over it) before a certificate is valid. Default 1. */
  minConfirmations?: number;
  /** Readiness is probed at most this often (concurrent /readyz calls share one probe). Default 2,000 ms. */
  readinessCacheMs?: number;
}

const isLink = (input: unknown): boolean => typeof input === "string" && /^\s*https?:\/\//i.test(input);

/**
 * The standalone verifier's work, without HTTP: the SDK's verification against a fixed trust
 * list, and readiness probes of every registry. It holds no keys and no database, and reads
 * nothing but the registries' JSON-RPC endpoints, each read within its deadline.
 * Throws `CertchainError` TRUST_LIST_AMBIGUOUS for a list whose entries cannot be told apart.
 *
 * @example
 * const verifier = createVerifier(parseTrustList(readFileSync("registries.json", "utf8")));
 * const result = await verifier.verify(envelope);
 */
export function createVerifier(registries: readonly TrustedRegistry[], options: VerifierOptions = {}) {
  checkTrustList(registries);
  const readers: RegistryReader[] = registries.map((registry) => createRegistryReader(registry));
  // A verifier never fetches what it is handed (it must not be steerable into calling arbitrary
  // hosts): no share service and no proof service is allowed, so a share link is answered with
  // SHARE_HOST_NOT_ALLOWED and a pending certificate stays pending, with nothing requested.
  const verifyOptions: VerifyAnyOptions = { registries: readers, registryTimeoutMs: options.registryTimeoutMs, minConfirmations: options.minConfirmations, shareServices: [], proofServices: [] };
  const cacheMs = options.readinessCacheMs ?? 2_000;
  let probing: { at: number; result: Promise<VerifierReadiness> } | undefined;

  async function probeAll(): Promise<VerifierReadiness> {
    const probes = await Promise.all(readers.map((reader) => reader.probe!({ timeoutMs: options.registryTimeoutMs })));
    const list = probes.map((probe, i): RegistryReadiness => ({
      name: readers[i].name,
      id: registries[i].id ?? probe.registryId,
      chainId: readers[i].chainId,
      address: readers[i].address,
      ready: probe.ok,
      endpoints: probe.endpoints,
    }));
    return { ready: list.every((r) => r.ready), registries: list };
  }

  return {
    registries: readers.map((reader, i) => ({ name: reader.name, id: registries[i].id ?? null, chainId: reader.chainId, address: reader.address })),
    /** One envelope or presentation (object or JSON text). Never throws. */
    verify: (input: unknown): Promise<VerificationResult> => verify(input, verifyOptions),
    /** Many, sharing chain reads; results in input order. Never throws. */
    async verifyMany(inputs: readonly unknown[]): Promise<VerificationResult[]> {
      // Links get the single-input path, which answers them with a verdict (never opened).
      const links = inputs.flatMap((input, i) => (isLink(input) ? [i] : []));
      if (links.length === 0) return verifyMany(inputs, verifyOptions);
      const files = inputs.filter((input) => !isLink(input));
      const [fileResults, linkResults] = await Promise.all([verifyMany(files, verifyOptions), Promise.all(links.map((i) => verify(inputs[i], verifyOptions)))]);
      let nextFile = 0;
      let nextLink = 0;
      return inputs.map((input) => (isLink(input) ? linkResults[nextLink++] : fileResults[nextFile++]));
    },
    /** Every registry probed (chain id, genesis, registry id, head), at most once per `readinessCacheMs`. */
    readiness(): Promise<VerifierReadiness> {
      if (!probing || Date.now() - probing.at > cacheMs) probing = { at: Date.now(), result: probeAll() };
      return probing.result;
    },
  };
}

export type Verifier = ReturnType<typeof createVerifier>;
