import { certificateTypeFromMetadata, findTypeById, type TypeFromMetadata, type TypeMetadataDocument } from "@certchain/sdk";
import type { ApiClient } from "./http-client";
import { UsageError } from "./output";

/** A type as `GET /v1/types` lists it (the fields the CLI reads). */
interface ListedType {
  id: string;
  integrity: string;
  metadata: TypeMetadataDocument;
}

/**
 * The certificate types the service knows, read from their metadata documents: the CLI lists,
 * checks and labels any type, including ones added after this CLI was installed. A document
 * whose integrity does not match what the service says is refused.
 */
export async function serviceTypes(client: ApiClient): Promise<TypeFromMetadata[]> {
  const listed = await client.get<ListedType[]>("/v1/types");
  return listed.map((entry) => {
    const type = certificateTypeFromMetadata(entry.metadata);
    if (type.integrity !== entry.integrity) throw new Error(`the service's metadata of ${entry.id} does not match its integrity value`);
    return type;
  });
}

/** One type by id, newest version: from the service; the SDK's bundled types when the service cannot be asked. */
export async function serviceType(client: ApiClient, id: string): Promise<TypeFromMetadata> {
  let known: TypeFromMetadata[];
  try {
    known = await serviceTypes(client);
  } catch (error) {
    const bundled = findTypeById(id);
    if (bundled) return bundled;
    throw error;
  }
  const type = known.find((t) => t.id === id);
  if (!type) throw new UsageError(`unknown certificate type ${id} (known: ${known.map((t) => t.id).join(", ")})`);
  return type;
}
