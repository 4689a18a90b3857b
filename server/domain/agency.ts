/** An agency this node serves: its record in the node's own store (the registry holds the rest). */

/**
 * The steps of a registration, in order. Each is a chain write (or a check) that the next start
 * finds done or does again: `created` is the local write of the record and its sealed keys; the
 * agency is served only once `funded` is recorded and it becomes active.
 */
export const REGISTRATION_STEPS = ["created", "registered", "accredited", "key-registered", "operator-registered", "funded"] as const;
export type RegistrationStep = (typeof REGISTRATION_STEPS)[number];

/** registering: not served yet; active: served; suspended: served, but issues nothing. */
export type AgencyState = "registering" | "active" | "suspended";

export interface AgencyRecord {
  slug: string;
  name: string;
  /** Unified social credit code, as registered. */
  creditCode: string;
  /** Type ids it was registered for (accreditations may change on the registry since). */
  types: string[];
  state: AgencyState;
  /** While registering: the last step done. */
  step?: RegistrationStep;
  /** The operator account that anchors and changes statuses for it; its key is sealed in this node's key store. */
  operator: string;
  /** An operator rotation under way: the new account (its key sealed), the last step done. */
  rotation?: { to: string; step: "created" | "operator-registered" | "funded" };
  /** Operator accounts it used before, removed from the registry. */
  formerOperators?: { account: string; until: string }[];
  createdAt: string;
  updatedAt: string;
}

/** An operator account's funds as last seen on chain. */
export interface OperatorFunds {
  agency: string;
  account: string;
  /** In wei, as a decimal string. */
  balance: string;
  /** What one transaction may cost at current fees (wei, decimal): below it nothing can be sent. */
  needed: string;
  funded: boolean;
  checkedAt: string;
}
