import type { FastifyInstance } from "fastify";
import { errorResponses, openObject } from "../../../schemas";
import { contextOf } from "../../request-context";

const localised = { type: "object", properties: { "zh-CN": { type: "string" }, en: { type: "string" } } } as const;

export const typeViewSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    vct: { type: "string", description: "The type's SD-JWT VC type: a URN for built-in types, else a URL on the service that serves the metadata." },
    version: { type: "integer" },
    typeCode: { type: "string" },
    names: localised,
    claims: { type: "object", additionalProperties: localised, description: "Display labels of the top-level claims, in display order (nested claims: see metadata.claims)." },
    schema: { ...openObject, description: "JSON Schema (2020-12) of the claims, with examples." },
    metadata: { ...openObject, description: "SD-JWT VC Type Metadata document (certchain:schema, certchain:type_code and certchain:claim_order are our extension members)." },
    metadataUrl: { type: "string", description: "Where the exact document is served (its SHA-256 is on the registry)." },
    integrity: { type: "string", description: "The `vct#integrity` of this type's credentials (W3C SRI, sha256)." },
    builtIn: { type: "boolean" },
  },
  required: ["id", "vct", "version", "typeCode", "names", "claims", "schema", "metadata", "metadataUrl", "integrity", "builtIn"],
} as const;

const addedSchema = {
  type: "object",
  properties: { id: { type: "string" }, vct: { type: "string" }, version: { type: "integer" }, metadataUrl: { type: "string" }, integrity: { type: "string" } },
  required: ["id", "vct", "metadataUrl", "integrity"],
} as const;

/** The certificate types this service knows (each type's newest version), and root's way to add one. */
export default async function types(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { versions?: "latest" | "all" } }>(
    "/",
    {
      schema: {
        tags: ["registry"],
        summary: "List certificate types",
        description: "Each type's newest version; `?versions=all` lists older versions too.",
        querystring: { type: "object", properties: { versions: { type: "string", enum: ["latest", "all"] } }, additionalProperties: false },
        response: {
          200: {
            type: "array",
            description: "Every certificate type this service issues: id, names, claim labels (zh-CN and en), the JSON Schema of its claims with a complete example, and its SD-JWT VC Type Metadata document.",
            items: typeViewSchema,
          },
          ...errorResponses,
        },
      },
    },
    async (request) => (request.query.versions === "all" ? app.service.typeVersions() : app.service.types()),
  );

  app.post<{ Body: { id: string; typeCode: string; metadata: Record<string, unknown> } }>(
    "/",
    {
      bodyLimit: 96 * 1024,
      config: { auth: "root" },
      schema: {
        tags: ["admin"],
        summary: "Add a certificate type (or its next version) from SD-JWT VC Type Metadata",
        description:
          "Root authority only. The service assigns the vct (<PUBLIC_URL>/types/<id>/<version>), stores the document, serves it at the vct and registers its SHA-256 and type code on chain. " +
          "Metadata is never changed: different metadata for an existing id becomes its next version; the same metadata again returns the existing version (200). " +
          "A bad document is refused with 400 TYPE_METADATA_INVALID, each fault with its JSON pointer, before anything is written.",
        body: {
          type: "object",
          properties: {
            id: { type: "string", minLength: 1, maxLength: 64, pattern: "^[a-z0-9]+(?:-[a-z0-9]+)*$", examples: ["social-security-card"] },
            typeCode: { type: "string", pattern: "^[0-9A-Z]{4}$", description: "Type segment of certificate numbers.", examples: ["SBZK"] },
            metadata: { type: "object", description: "Type Metadata without vct: name, description, display, claims, certchain:claim_order, certchain:schema." },
          },
          required: ["id", "typeCode", "metadata"],
          additionalProperties: false,
        },
        response: {
          200: { ...addedSchema, description: "The same metadata was added before: that version, unchanged (nothing written)." },
          201: { ...addedSchema, description: "The type (or its next version) is stored, served at its vct and registered on chain." },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { type, created } = await app.service.registerType(request.principal!, request.body, contextOf(request));
      const { id, vct, version, metadataUrl, integrity } = type;
      return reply.status(created ? 201 : 200).send({ id, vct, version, metadataUrl, integrity });
    },
  );
}

/**
 * `GET /types/:id/:version`: the exact Type Metadata document, at the `vct` of types added
 * through the API (and for built-in types, whose vct is a URN, at their metadataUrl). Its bytes
 * never change, so it may be cached forever; any origin may read it.
 */
export async function typeDocumentRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { id: string; version: number } }>(
    "/types/:id/:version",
    {
      schema: {
        tags: ["registry"],
        summary: "A certificate type's metadata document (its vct URL)",
        params: {
          type: "object",
          properties: { id: { type: "string", maxLength: 64, pattern: "^[a-z0-9]+(?:-[a-z0-9]+)*$" }, version: { type: "integer", minimum: 1, maximum: 999999999 } },
          required: ["id", "version"],
        },
        response: { 200: { ...openObject, description: "SD-JWT VC Type Metadata" }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const text = app.service.typeDocument(request.params.id, request.params.version);
      if (text === undefined) return reply.status(404).send({ error: { code: "NOT_FOUND", message: "No such certificate type version." } });
      return reply
        .header("content-type", "application/json; charset=utf-8")
        .header("cache-control", "public, max-age=31536000, immutable")
        .header("access-control-allow-origin", "*")
        .serializer((payload: string) => payload)
        .send(text);
    },
  );
}
