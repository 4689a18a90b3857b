import { readFileSync } from "node:fs";
import path from "node:path";
import { createRegistryReader, type TrustedRegistry } from "@certchain/sdk";
import { createPresentationService, type PresentationService } from "../consent/presentation-requests";
import type { WebhookPolicy } from "../consent/webhook-target";
import { createWebhookDispatcher } from "../consent/webhooks";
import { apiError } from "../errors";
import { loadRecordSealer } from "../keys/record-sealer";
import { loadRequestSigningKey, type RequestSigningKey } from "../keys/request-key";
import { openDatabase } from "../store/database";
import { createPresentationStore } from "../store/presentation-store";
import { departmentOfToken, parseDepartments, type DepartmentEntry } from "./departments";

export interface VerifierPresentationsOptions {
  /** LevelDB lives in `<dataDir>/db`: requests, sealed answers, used key-binding JWTs, receipts. */
  dataDir: string;
  /** Seals the request key and the answers at rest. */
  passphrase: string;
  /** Where wallets reach this verifier (request_uri, response_uri, links). */
  publicUrl: string;
  /** The departments file; without it the verifier takes no requests yet (only `requestKey` is of use). */
  departmentsFile?: string;
  registries: readonly TrustedRegistry[];
  registryTimeoutMs?: number;
  webhooks?: WebhookPolicy & { retryDelaysMs?: readonly number[] };
}

/**
 * Department requests on the standalone verifier (`certchain verifier --departments`): the same
 * OpenID4VP service as the issuing node's, with departments from a file (a token each, and the
 * Verifier Attestation their agency signed for this verifier's request key). Answers are checked
 * against the verifier's trust list only; it fetches nothing a wallet names (an answer without
 * its anchor proof is refused with ANCHOR_PROOF_UNAVAILABLE).
 */
export async function openVerifierPresentations(options: VerifierPresentationsOptions) {
  const db = await openDatabase(path.join(options.dataDir, "db"));
  try {
    const requestKey: RequestSigningKey = await loadRequestSigningKey(db, options.passphrase);
    const sealer = await loadRecordSealer(db, options.passphrase);
    const publicUrl = options.publicUrl.replace(/\/+$/, "");
    const responseUri = `${publicUrl}/v1/presentation-responses`;
    const departments: DepartmentEntry[] = options.departmentsFile ? parseDepartments(readFileSync(options.departmentsFile, "utf8"), requestKey.publicJwk, responseUri) : [];
    const readers = options.registries.map((registry) => createRegistryReader(registry));
    const webhooks = createWebhookDispatcher({ ...options.webhooks });
    const service: PresentationService = createPresentationService({
      store: createPresentationStore(db, sealer),
      publicUrl,
      requestKey,
      async attest(department, _responseUri, expiresAt) {
        const entry = departments.find((d) => d.id === department.id)!;
        // The wallet refuses an expired attestation: a request must not outlive it.
        if (entry.expiresAt < expiresAt) throw apiError("DEPARTMENT_NOT_ATTESTABLE", "The department's attestation expires before this request would; ask its agency for a new one.");
        return { subject: entry.subject, attestation: entry.attestation };
      },
      verifyOptions: () => ({ registries: readers, registryTimeoutMs: options.registryTimeoutMs, fetch: async () => Promise.reject(new Error("the verifier fetches no URL")), proofServices: [] }),
      webhooks,
      webhookPolicy: options.webhooks ?? {},
    });

    return {
      requestKey: requestKey.publicJwk,
      responseUri,
      departments: departments.map(({ id, name, subject, expiresAt }) => ({ id, name, clientId: `verifier_attestation:${subject}`, expiresAt })),
      /** The department of a bearer token. @throws AUTH_MISSING, AUTH_INVALID */
      authenticate(authorization: string | undefined): DepartmentEntry {
        const token = /^Bearer ([^\s]+)$/i.exec(authorization ?? "")?.[1];
        if (!token) throw apiError("AUTH_MISSING");
        const department = departmentOfToken(departments, token);
        if (!department) throw apiError("AUTH_INVALID");
        return department;
      },
      service,
      async close() {
        await webhooks.close();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

export type VerifierPresentations = Awaited<ReturnType<typeof openVerifierPresentations>>;
