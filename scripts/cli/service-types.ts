import { certificateTypeFromMetadata, certificateTypes, type TypeFromMetadata, type TypeMetadataDocument } from "@certchain/sdk";
import type { ApiClient } from "./http-client";

/** A type as `GET /v1/types` lists it (the fields the CLI reads). */
interface ListedType {
  id: string;
  integrity: string;
  metadata: TypeMetadataDocument;
}

/**
 * The certificate types the service knows, read from their Type Metadata documents: the CLI
 * lists, checks and labels any type, including ones added after this CLI was installed. A
 * document whose integrity does not match what the service says is refused.
 */
export async function serviceTypes(client: ApiClient): Promise<TypeFromMetadata[]> {
  const listed = await client.get<ListedType[]>("/v1/types");
  return listed.map((entry) => {
    const type = certificateTypeFromMetadata(entry.metadata);
    if (type.integrity !== entry.integrity) throw new Error(`the service's metadata of ${entry.id} does not match its integrity value`);
    return type;
  });
}

/**
 * The types a command can use: the service's when one is configured and answers, else the
 * SDK's bundled documents (the built-in types; enough to work offline).
 */
export async function knownTypes(client: ApiClient | undefined): Promise<{ types: readonly TypeFromMetadata[]; from: "service" | "bundle" }> {
  if (client) {
    try {
      return { types: await serviceTypes(client), from: "service" };
    } catch {
      // no service (or an older one without metadata): the bundled types still work
    }
  }
  return { types: certificateTypes, from: "bundle" };
}

/** A type by id, or by its name in either language. */
export const findKnownType = (types: readonly TypeFromMetadata[], name: string): TypeFromMetadata | undefined =>
  types.find((type) => type.id === name) ?? types.find((type) => type.names["zh-CN"] === name || type.names.en.toLowerCase() === name.toLowerCase());
