import type { ConsentReceipt, Hex } from "@certchain/sdk";
import type { Database, WriteOp } from "./database";

/**
 * Seals a record's personal data at rest (the node's personal-data cipher): the store never
 * writes a department's answer in the clear.
 */
export interface RecordSealer {
  seal(recordId: string, plaintext: string): unknown;
  /** @throws Error when the record was altered or moved. */
  open(recordId: string, sealed: unknown): string;
}

export type PresentationStatus = "pending" | "answered" | "declined";

/** A department's request as stored: nothing personal until the answer, which is sealed. */
export interface StoredPresentationRequest {
  id: string;
  /** Who asked: the agency slug (issuing service) or department id (verifier service). */
  department: string;
  clientId: string;
  nonce: string;
  state: string;
  responseUri: string;
  dcqlQuery: unknown;
  purpose: string;
  clientName?: string;
  /** The signed request object exactly as served (its SHA-256 is the receipt's `request`). */
  requestObject: string;
  createdAt: string;
  expiresAt: string;
  status: PresentationStatus;
  /** The push target, and the secret its pushes are signed with (sealed: whoever reads it could forge pushes). */
  webhook?: { url: string; sealedSecret: unknown };
  answeredAt?: string;
  declined?: { error: string; description?: string };
  /** The department's result (verdicts, disclosed claims, receipt), sealed: it holds personal data. */
  sealedResult?: unknown;
  receiptLeaf?: Hex;
}

/** A consent receipt a department holds, and where it was anchored once it was. */
export interface StoredReceipt {
  leaf: Hex;
  department: string;
  requestId: string;
  receipt: ConsentReceipt;
  recordedAt: string;
  anchor?: ReceiptAnchor;
}

/** Where a period's receipts were anchored: a root on the registry, by the department's operator. */
export interface ReceiptAnchor {
  root: Hex;
  proof: Hex[];
  chainId: number;
  registry: Hex;
  transaction: Hex;
  block: number;
  anchoredAt: string;
}

const pad = (ms: number) => String(ms).padStart(15, "0");

/**
 * Presentation requests, their answers and the departments' consent receipts, in LevelDB:
 * requests by id, an index from `state` (what a wallet's answer carries) to id, the key-binding
 * JWTs already accepted (by SHA-256: a vp_token is used once), and receipts by department and time
 * (what a period's anchoring reads) with an index by leaf (what a proof lookup reads). Every
 * change is one synced write; the caller serialises the changes of one request.
 */
export function createPresentationStore(db: Database, sealer: RecordSealer) {
  const requests = db.sublevel<StoredPresentationRequest>("presentation-requests");
  const states = db.sublevel<string>("presentation-states");
  const keyBindings = db.sublevel<string>("presentation-key-bindings");
  const receipts = db.sublevel<StoredReceipt>("consent-receipts");
  const receiptLeaves = db.sublevel<string>("consent-receipt-leaves");

  const receiptKey = (department: string, at: string, leaf: string) => `${department}!${pad(Date.parse(at))}!${leaf}`;

  return {
    /** Stores a new request; `webhook` with its secret, which is sealed. */
    async create(fields: Omit<StoredPresentationRequest, "webhook">, webhook?: { url: string; secret: string }): Promise<StoredPresentationRequest> {
      const record: StoredPresentationRequest = { ...fields, ...(webhook ? { webhook: { url: webhook.url, sealedSecret: sealer.seal(`${fields.id}!webhook`, webhook.secret) } } : {}) };
      await db.write([
        { type: "put", sublevel: requests, key: record.id, value: record },
        { type: "put", sublevel: states, key: record.state, value: record.id },
      ]);
      return record;
    },

    webhookSecretOf: (record: StoredPresentationRequest): string | undefined => (record.webhook ? sealer.open(`${record.id}!webhook`, record.webhook.sealedSecret) : undefined),

    get: (id: string): Promise<StoredPresentationRequest | undefined> => requests.get(id),

    async byState(state: string): Promise<StoredPresentationRequest | undefined> {
      const id = await states.get(state);
      return id === undefined ? undefined : requests.get(id);
    },

    /** Which of these key-binding JWT digests an accepted answer already used. */
    async usedKeyBindings(digests: readonly string[]): Promise<string[]> {
      const found = await keyBindings.getMany([...digests]);
      return digests.filter((_, i) => found[i] !== undefined);
    },

    /** The department's result, opened. */
    resultOf(record: StoredPresentationRequest): unknown {
      return record.sealedResult === undefined ? null : JSON.parse(sealer.open(record.id, record.sealedResult));
    },

    /**
     * Records an accepted answer in one write: the request answered with its sealed result, the
     * key-binding JWTs it used, and the department's receipt.
     */
    async answer(record: StoredPresentationRequest, result: unknown, keyBindingDigests: readonly string[], receipt: { leaf: Hex; receipt: ConsentReceipt } | null, at: string): Promise<StoredPresentationRequest> {
      const answered: StoredPresentationRequest = { ...record, status: "answered", answeredAt: at, sealedResult: sealer.seal(record.id, JSON.stringify(result)), ...(receipt ? { receiptLeaf: receipt.leaf } : {}) };
      const ops: WriteOp[] = [{ type: "put", sublevel: requests, key: record.id, value: answered }];
      for (const digest of keyBindingDigests) ops.push({ type: "put", sublevel: keyBindings, key: digest, value: record.id });
      if (receipt) {
        const key = receiptKey(record.department, at, receipt.leaf);
        ops.push(
          { type: "put", sublevel: receipts, key, value: { leaf: receipt.leaf, department: record.department, requestId: record.id, receipt: receipt.receipt, recordedAt: at } },
          { type: "put", sublevel: receiptLeaves, key: receipt.leaf, value: key },
        );
      }
      await db.write(ops);
      return answered;
    },

    async decline(record: StoredPresentationRequest, declined: { error: string; description?: string }, at: string): Promise<StoredPresentationRequest> {
      const updated: StoredPresentationRequest = { ...record, status: "declined", answeredAt: at, declined };
      await db.write([{ type: "put", sublevel: requests, key: record.id, value: updated }]);
      return updated;
    },

    async receiptByLeaf(leaf: string): Promise<StoredReceipt | undefined> {
      const key = await receiptLeaves.get(leaf.toLowerCase());
      return key === undefined ? undefined : receipts.get(key);
    },

    /** A department's receipts, oldest first, up to `limit`; only those not anchored yet when asked. */
    async receiptsOf(department: string, options: { unanchored?: boolean; limit?: number } = {}): Promise<StoredReceipt[]> {
      const all = await receipts.values({ gt: `${department}!`, lt: `${department}!\xff` }).all();
      const chosen = options.unanchored ? all.filter((r) => r.anchor === undefined) : all;
      return chosen.slice(0, options.limit ?? chosen.length);
    },

    /** The writes that mark receipts anchored, each with its proof (for the caller's one write, with its audit entry). */
    anchoredOps(anchored: readonly { receipt: StoredReceipt; anchor: ReceiptAnchor }[]): WriteOp[] {
      return anchored.map(({ receipt, anchor }): WriteOp => ({ type: "put", sublevel: receipts, key: receiptKey(receipt.department, receipt.recordedAt, receipt.leaf), value: { ...receipt, anchor } }));
    },
  };
}

export type PresentationStore = ReturnType<typeof createPresentationStore>;
