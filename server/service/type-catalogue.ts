import {
  bundledTypeVersions,
  certificateTypeFromMetadata,
  typeMetadataProblems,
  typeMetadataText,
  type Hex,
  type TypeFromMetadata,
} from "@certchain/sdk";
import type { RegistryAdmin } from "../chain/registry-admin";
import type { RegistryReads } from "../chain/registry-reads";
import { apiError } from "../errors";
import { createKeyedMutex } from "../lib/mutex";
import type { Database } from "../store/database";

/** A type added through the API, as stored: the document's exact text is what the vct URL serves. */
interface StoredType {
  id: string;
  version: number;
  vct: string;
  typeCode: string;
  text: string;
  hash: Hex;
  /** "pending": written here, not (known to be) on the registry yet. */
  state: "pending" | "registered";
  createdAt: string;
  registeredAt?: string;
}

/** One certificate type as the service offers it. */
export interface CatalogueEntry {
  type: TypeFromMetadata;
  /** Where the service serves the exact document (for built-ins too, whose vct is a URN). */
  metadataUrl: string;
  builtIn: boolean;
}

export interface RegisterTypeRequest {
  id: string;
  typeCode: string;
  metadata: Record<string, unknown>;
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const ZERO_HASH = `0x${"00".repeat(32)}`;

/**
 * The certificate types this service knows: the SDK's bundled ones and those the root
 * authority added (`POST /v1/types`), stored in LevelDB and registered on chain. A type's
 * document never changes: new metadata for an id is its next version, with a new `vct`.
 */
export async function createTypeCatalogue(options: {
  db: Database;
  publicUrl: string;
  registry: RegistryReads;
  admin: () => RegistryAdmin;
  /** Runs a root authority transaction in turn with the service's other root writes (one account, one nonce at a time). */
  rootWrite?: <T>(write: () => Promise<T>) => Promise<T>;
}) {
  const stored = options.db.sublevel<StoredType>("types");
  const { registry } = options;
  const lock = createKeyedMutex();
  const base = options.publicUrl.replace(/\/+$/, "");
  const urlOf = (id: string, version: number) => `${base}/types/${id}/${version}`;

  const byVct = new Map<string, CatalogueEntry>();
  const latest = new Map<string, CatalogueEntry>();
  const order: string[] = [];
  function add(entry: CatalogueEntry) {
    byVct.set(entry.type.vct, entry);
    const current = latest.get(entry.type.id);
    if (!current) order.push(entry.type.id);
    if (!current || (entry.type.version ?? 0) > (current.type.version ?? 0)) latest.set(entry.type.id, entry);
  }
  for (const type of bundledTypeVersions) add({ type, metadataUrl: urlOf(type.id, type.version ?? 1), builtIn: true });
  const records = new Map<string, StoredType>(); // by vct, registered or not
  for (const record of await stored.values().all()) {
    records.set(record.vct, record);
    if (record.state === "registered") add({ type: certificateTypeFromMetadata(record.text), metadataUrl: record.vct, builtIn: false });
  }

  const codeOwner = (code: string): string | undefined => [...latest.values()].find((e) => e.type.typeCode === code)?.type.id;

  /** Puts a stored type on the registry, unless it is there already (a crash after the transaction). */
  async function complete(record: StoredType): Promise<StoredType> {
    let onChain: { metadataHash: string };
    try {
      onChain = await registry.typeRecord(record.vct);
      if (onChain.metadataHash === ZERO_HASH) {
        const write = () => options.admin().registerType(record.vct, record.hash, record.typeCode);
        await (options.rootWrite ? options.rootWrite(write) : write());
        onChain = await registry.typeRecord(record.vct);
      }
    } catch {
      throw apiError("CHAIN_UNAVAILABLE", "The type is stored but could not be put on the registry now; send the same request again later.");
    }
    if (onChain.metadataHash.toLowerCase() !== record.hash) {
      throw apiError("TYPE_CONFLICT", `The registry already holds other metadata for ${record.vct}.`, { vct: record.vct });
    }
    const registered: StoredType = { ...record, state: "registered", registeredAt: new Date().toISOString() };
    await options.db.write([{ type: "put", sublevel: stored, key: record.vct, value: registered }]);
    records.set(record.vct, registered);
    add({ type: certificateTypeFromMetadata(registered.text), metadataUrl: registered.vct, builtIn: false });
    return registered;
  }

  return {
    /** The newest version of every type, built-ins first, in the order they became known. */
    list(): CatalogueEntry[] {
      return order.map((id) => latest.get(id)!);
    },
    /** Every known version (older versions too), for verifiers' bundles. */
    versions(): CatalogueEntry[] {
      return [...byVct.values()];
    },
    byId: (id: unknown): CatalogueEntry | undefined => (typeof id === "string" ? latest.get(id) : undefined),
    byVct: (vct: unknown): CatalogueEntry | undefined => (typeof vct === "string" ? byVct.get(vct) : undefined),
    /** The exact document text of one version, for the `vct` URL. */
    documentOf(id: string, version: number): string | undefined {
      const entry = [...byVct.values()].find((e) => e.type.id === id && (e.type.version ?? 1) === version);
      return entry?.type.metadataText;
    },

    /**
     * Adds a type, or its next version: validates everything before writing anything, stores the
     * document (synced), registers its hash on chain, then marks it registered. The same request
     * again returns the existing version (and finishes a registration a crash interrupted).
     */
    async register(request: RegisterTypeRequest): Promise<{ entry: CatalogueEntry; created: boolean }> {
      const { id, typeCode } = request;
      const metadata: Record<string, unknown> = typeof request.metadata === "object" && request.metadata !== null && !Array.isArray(request.metadata) ? request.metadata : {};
      if (typeof id !== "string" || !SLUG.test(id) || id.length > 64) throw apiError("VALIDATION_FAILED", undefined, [{ path: "body/id", message: "must be a lowercase slug" }]);
      const problems = typeMetadataProblems({ ...metadata, "certchain:type_code": metadata["certchain:type_code"] ?? typeCode }, { vct: "absent", bounds: true });
      if (metadata["certchain:type_code"] !== undefined && metadata["certchain:type_code"] !== typeCode) {
        problems.push({ pointer: "/certchain:type_code", message: "differs from typeCode" });
      }
      if (problems.length > 0) {
        throw apiError(
          "TYPE_METADATA_INVALID",
          `The metadata is not a usable type document: ${problems.slice(0, 3).map((p) => `/metadata${p.pointer} ${p.message}`).join("; ")}.`,
          problems.map((p) => ({ path: `body/metadata${p.pointer}`, pointer: `/metadata${p.pointer}`, message: p.message })),
        );
      }
      return lock(id, async () => {
        const current = latest.get(id);
        if (current?.builtIn) throw apiError("TYPE_CONFLICT", `${id} is a built-in type; choose another id.`, { id });
        if (current && current.type.typeCode !== typeCode) throw apiError("TYPE_CONFLICT", `${id} has type code ${current.type.typeCode}; a new version keeps it.`, { id });
        const owner = codeOwner(typeCode);
        if (owner !== undefined && owner !== id) throw apiError("TYPE_CONFLICT", `Type code ${typeCode} belongs to ${owner}.`, { typeCode, owner });

        const versions = [...records.values()].filter((r) => r.id === id);
        const next = versions.reduce((max, r) => Math.max(max, r.version), 0) + 1;
        const textFor = (version: number) => {
          // The service assigns vct (first, as the draft's examples put it) and the type code.
          const { "certchain:type_code": _, ...rest } = metadata;
          return typeMetadataText({ vct: urlOf(id, version), ...rest, "certchain:type_code": typeCode });
        };
        // The same document as an existing version (vct aside) is that version.
        const same = versions.find((r) => r.text === textFor(r.version));
        if (same) {
          const done = same.state === "registered" ? same : await complete(same);
          return { entry: byVct.get(done.vct)!, created: same.state !== "registered" };
        }
        const text = textFor(next);
        const type = certificateTypeFromMetadata(text);
        const record: StoredType = { id, version: next, vct: type.vct, typeCode, text, hash: type.metadataHash, state: "pending", createdAt: new Date().toISOString() };
        await options.db.write([{ type: "put", sublevel: stored, key: record.vct, value: record }]);
        records.set(record.vct, record);
        await complete(record);
        return { entry: byVct.get(record.vct)!, created: true };
      });
    },

    /** Finishes registrations a crash or a chain outage left pending. Best effort. */
    async resume(): Promise<void> {
      for (const record of records.values()) if (record.state === "pending") await lock(record.id, () => complete(record)).catch(() => undefined);
    },
  };
}

export type TypeCatalogue = Awaited<ReturnType<typeof createTypeCatalogue>>;
