import type { FastifyError, FastifyInstance } from "fastify";
import { MAX_SHARE_CIPHERTEXT } from "@certchain/sdk";
import { apiError } from "../../errors";
import { errorResponses } from "../../schemas";
import { shareError, type ShareStore } from "../../store/share-store";

export interface SharesRoutesOptions {
  store: ShareStore;
  /** How often expired shares are purged while the app runs; 0 turns it off. Default 10 minutes. */
  purgeIntervalMs?: number;
  /** Creations per client IP and minute (only where @fastify/rate-limit is registered). Default 30. */
  createPerMinute?: number;
}

/** Room for the ciphertext plus the JSON around it. */
export const SHARE_BODY_LIMIT = MAX_SHARE_CIPHERTEXT + 1024;

const BEARER = /^Bearer ([A-Za-z0-9_-]{1,128})$/;

const shareIdParams = {
  type: "object",
  properties: { id: { type: "string", minLength: 1, maxLength: 64, description: "The share id (22 characters, base64url)." } },
  required: ["id"],
} as const;

const expiresAt = { type: "string", format: "date-time", maxLength: 64 } as const;

const createBody = {
  type: "object",
  properties: {
    ciphertext: {
      type: "string",
      minLength: 1,
      // No maxLength: over 64 KiB is a 413 SHARE_TOO_LARGE from the store, not a schema failure.
      description: "The presentation encrypted in the browser: JWE compact, alg `dir`, enc `A256GCM`, at most 64 KiB. The key never reaches the service.",
    },
    expiresAt: { ...expiresAt, description: "When the link stops working: after now, at most 30 days ahead." },
  },
  required: ["ciphertext", "expiresAt"],
  additionalProperties: false,
  examples: [
    {
      ciphertext: "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..b2gtc28tc2VjcmV0.ZW5jcnlwdGVkLXByZXNlbnRhdGlvbg.dGFnLXRhZy10YWctdGFn",
      expiresAt: "2030-01-01T00:00:00Z",
    },
  ],
} as const;

const createdSchema = {
  type: "object",
  description: "Stored. Build the link as `<origin>/s/<id>#<key>`; keep the withdrawal token.",
  properties: {
    id: { type: "string" },
    withdrawToken: { type: "string", description: "Shown once: `DELETE /v1/shares/:id` with `Authorization: Bearer <withdrawToken>` withdraws the link." },
    expiresAt,
  },
  required: ["id", "withdrawToken", "expiresAt"],
} as const;

const shareSchema = {
  type: "object",
  description: "The ciphertext (decrypted in the browser with the key from the link) and its expiry.",
  properties: { ciphertext: { type: "string" }, expiresAt },
  required: ["ciphertext", "expiresAt"],
} as const;

/**
 * The share API (register with `prefix: "/v1/shares"`): public, no account; what it stores is
 * ciphertext only. `POST /` stores a share, `GET /:id` returns its ciphertext (404 unknown,
 * 410 expired or withdrawn), `DELETE /:id` withdraws it with the token returned on creation.
 * Expired shares are purged on a timer while the app runs.
 *
 * @example
 * await app.register(sharesRoutes, { prefix: "/v1/shares", store: createShareStore(db.sublevel("shares")) });
 */
export async function sharesRoutes(app: FastifyInstance, options: SharesRoutesOptions): Promise<void> {
  const { store } = options;

  const interval = options.purgeIntervalMs ?? 10 * 60 * 1000;
  if (interval > 0) {
    let running: Promise<unknown> | undefined;
    const timer = setInterval(() => {
      running ??= store
        .purgeExpired()
        .catch((error) => app.log.warn({ err: error }, "purging expired shares failed"))
        .finally(() => (running = undefined));
    }, interval);
    timer.unref();
    app.addHook("onClose", async () => {
      clearInterval(timer);
      await running;
    });
  }

  app.addHook("onSend", async (_request, reply) => {
    // Ciphertexts and withdrawal tokens belong to no cache, and links carry nothing for a Referer.
    reply.header("cache-control", "no-store");
    reply.header("referrer-policy", "no-referrer");
  });

  app.post<{ Body: { ciphertext: string; expiresAt: string } }>(
    "/",
    {
      bodyLimit: SHARE_BODY_LIMIT,
      config: { rateLimit: { max: options.createPerMinute ?? 30, timeWindow: 60_000 } } as object,
      schema: {
        tags: ["shares"],
        summary: "Store an encrypted share link",
        description:
          "The holder's browser derives the presentation, encrypts it (JWE, random key) and uploads only the ciphertext and an expiry (at most 30 days). The link is `/s/<id>#<key>`; the key stays in the fragment.",
        body: createBody,
        response: { 201: createdSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const created = await store.create(request.body);
      return reply.status(201).send(created);
    },
  );

  app.get<{ Params: { id: string } }>(
    "/:id",
    {
      schema: {
        tags: ["shares"],
        summary: "Fetch a share's ciphertext",
        params: shareIdParams,
        response: { 200: shareSchema, ...errorResponses },
      },
    },
    async (request) => {
      const record = await store.get(request.params.id);
      if (record === undefined) throw shareError("SHARE_NOT_FOUND");
      if (record === "expired") throw shareError("SHARE_GONE", "The share link has expired.");
      if (record === "withdrawn") throw shareError("SHARE_GONE", "The share link was withdrawn by its holder.");
      return { ciphertext: record.ciphertext, expiresAt: record.expiresAt };
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/:id",
    {
      schema: {
        tags: ["shares"],
        summary: "Withdraw a share link",
        description: "Needs `Authorization: Bearer <withdrawToken>` (the token returned on creation). Withdrawing twice is fine.",
        params: shareIdParams,
        response: { 204: { type: "null", description: "Withdrawn (or already gone): the link no longer opens." }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const header = request.headers.authorization;
      if (!header) throw apiError("AUTH_MISSING", "Send the withdrawal token as `Authorization: Bearer <withdrawToken>`.");
      const match = BEARER.exec(header);
      if (!match) throw apiError("AUTH_INVALID", "The Authorization header must be `Bearer <withdrawToken>`.");
      await store.withdraw(request.params.id, match[1]);
      return reply.status(204).send();
    },
  );
}

export default sharesRoutes;
