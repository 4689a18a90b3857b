import type { Hex } from "../lib/bytes";
import { allowedUrl, fetchText, type TextFetchLike } from "../lib/fetch-text";
import type { RegistryReader } from "../registry/reader";
import type { CertificateTypeRecord } from "../registry/types";
import { typeIdOf } from "./define";
import { findTypeByVct } from "./registry";
import { certificateTypeFromMetadata, integrityNamesSha256, matchesIntegrity, type TypeFromMetadata, type TypeMetadataDocument } from "./type-metadata";

/**
 * Where `verify` may learn certificate types the SDK does not ship. Whatever the source, a
 * document is used only if its SHA-256 is the one the trusted registry holds for the type.
 */
export interface TypeMetadataOptions {
  /** Type Metadata documents the verifier supplies (offline): objects, or their exact JSON text. */
  bundle?: readonly (TypeMetadataDocument | string)[];
  /**
   * Hosts (`host` or `host:port`) whose `vct` URLs may be fetched. Nothing is fetched by default.
   * https only, except loopback hosts (development).
   */
  hosts?: readonly string[];
  /** Default: the global fetch. */
  fetch?: TextFetchLike;
  /** Per document. Default 10 s. */
  timeoutMs?: number;
}

/** How a credential's type was resolved. */
export type TypeResolution =
  | { status: "trusted"; type: TypeFromMetadata; source: "sdk" | "bundle" | "fetched" }
  /** Usable for display only: the registry could not vouch for it (no registry, or not registered), but the issuer-signed `vct#integrity` names it. */
  | { status: "untrusted"; type?: TypeFromMetadata }
  | { status: "mismatch"; type?: TypeFromMetadata }
  | { status: "unknown" };

const MAX_DOCUMENT_TEXT = 64 * 1024;
const CACHE_LIMIT = 256;
// A hash names one document forever, so what was accepted once is kept (bounded), across calls.
const byHash = new Map<string, TypeFromMetadata>();

function remember(type: TypeFromMetadata): TypeFromMetadata {
  if (!byHash.has(type.metadataHash)) {
    if (byHash.size >= CACHE_LIMIT) byHash.delete(byHash.keys().next().value!);
    byHash.set(type.metadataHash, type);
  }
  return type;
}

function fetchableUrl(vct: string, hosts: readonly string[] | undefined): string | undefined {
  const url = allowedUrl(vct, hosts);
  return url && !url.hash ? url.href : undefined;
}

/**
 * Resolves the types of one verification call. Documents from the verifier's bundle are read
 * once per call; fetched and accepted ones are cached by hash across calls.
 */
export function createTypeResolver(options: TypeMetadataOptions | undefined) {
  let bundle: TypeFromMetadata[] | undefined;
  const bundleTypes = (): TypeFromMetadata[] => {
    bundle ??= (options?.bundle ?? []).flatMap((entry) => {
      try {
        return [certificateTypeFromMetadata(entry)];
      } catch {
        return []; // a broken document in the bundle is simply not a candidate
      }
    });
    return bundle;
  };
  const fetches = new Map<string, Promise<TypeFromMetadata | undefined>>();
  const records = new Map<string, Promise<CertificateTypeRecord | undefined>>();

  async function fetchDocument(url: string): Promise<TypeFromMetadata | undefined> {
    const text = await fetchText(url, { fetch: options?.fetch, timeoutMs: options?.timeoutMs, accept: "application/json", maxChars: MAX_DOCUMENT_TEXT });
    try {
      return text === undefined ? undefined : certificateTypeFromMetadata(text);
    } catch {
      return undefined;
    }
  }

  function recordOf(reader: RegistryReader | undefined, typeId: Hex): Promise<CertificateTypeRecord | undefined> {
    if (!reader?.typeRecords) return Promise.resolve(undefined);
    const key = `${reader.chainId}:${reader.address.toLowerCase()}:${typeId}`;
    let record = records.get(key);
    if (record === undefined) {
      // A registry that cannot answer (older contract, chain down) vouches for nothing.
      record = reader.typeRecords([typeId]).then(([r]) => (r && r.registeredAt > 0 ? r : undefined), () => undefined);
      records.set(key, record);
    }
    return record;
  }

  return {
    /**
     * The type of a credential with this `vct` (and `vct#integrity`, when it carries one),
     * vouched for by `reader`'s registry when that is given.
     */
    async resolve(vct: string, integrity: unknown, reader: RegistryReader | undefined): Promise<TypeResolution> {
      const shipped = findTypeByVct(vct);
      if (shipped) {
        // Bundled documents never change (a change is a new vct); a credential naming another document is inconsistent.
        if (integrity !== undefined && !matchesIntegrity(shipped.metadataText, integrity)) return { status: "mismatch", type: shipped };
        return { status: "trusted", type: shipped, source: "sdk" };
      }
      const record = await recordOf(reader, typeIdOf(vct));
      const hash = record?.metadataHash.toLowerCase();
      const candidates = bundleTypes().filter((type) => type.vct === vct);

      if (hash !== undefined) {
        let type = candidates.find((t) => t.metadataHash === hash);
        let source: "bundle" | "fetched" = "bundle";
        let found = candidates.length > 0;
        const cached = byHash.get(hash);
        if (!type && cached?.vct === vct) [type, source] = [cached, "fetched"];
        if (!type) {
          const url = fetchableUrl(vct, options?.hosts);
          if (url) {
            let pending = fetches.get(url);
            if (pending === undefined) fetches.set(url, (pending = fetchDocument(url)));
            const fetched = await pending;
            found ||= fetched !== undefined;
            if (fetched?.vct === vct && fetched.metadataHash === hash) [type, source] = [fetched, "fetched"];
          }
        }
        // The issuer signed the name of a document other than the registered one: known without the document.
        if (integrity !== undefined && integrityNamesSha256(integrity, hash) === false) return { status: "mismatch", ...(type ? { type } : {}) };
        // A document was found, but not the one the registry holds: not to be used, not even for labels.
        if (!type) return found ? { status: "untrusted" } : { status: "unknown" };
        if (integrity !== undefined && !matchesIntegrity(type.metadataText, integrity)) return { status: "mismatch", type };
        return { status: "trusted", type: remember(type), source };
      }

      // No registry record: a document is usable for display only, and only the one the issuer named.
      const named = integrity === undefined ? undefined : candidates.find((t) => matchesIntegrity(t.metadataText, integrity));
      if (named) return { status: "untrusted", type: named };
      return candidates.length > 0 ? { status: "untrusted" } : { status: "unknown" };
    },
  };
}

export type TypeResolver = ReturnType<typeof createTypeResolver>;
