/** Who calls the service, and the request a call belongs to. */

/** Who is calling, from a verified bearer token. */
export type Principal =
  | { kind: "root"; subject: string; tokenId: string }
  | {
      kind: "agency";
      agency: string /* slug */;
      /** Ignored: tokens of earlier releases listed types; the registry's accreditations decide now. */
      types?: string[];
      subject: string;
      tokenId: string;
    };

/** A principal before a token id is assigned (Omit<> over the union would drop the agency fields). */
export type TokenSubject = Principal extends infer P ? (P extends Principal ? Omit<P, "tokenId"> : never) : never;

/** Where a request came from, for the audit log and idempotency. */
export interface RequestContext {
  requestId: string;
  idempotencyKey?: string;
}
