import type { Principal } from "../domain/principal";
import { apiError } from "../errors";

export type AgencyPrincipal = Extract<Principal, { kind: "agency" }>;

/** The root authority only. */
export function requireRoot(principal: Principal): void {
  if (principal?.kind !== "root") throw apiError("FORBIDDEN", "Only the root authority may do that.");
}

/** An agency this node serves (`serves`: it holds the agency's operator account). */
export function requireAgency(principal: Principal, serves: (agency: string) => boolean): AgencyPrincipal {
  if (principal?.kind !== "agency") throw apiError("FORBIDDEN", "Only an agency token may do that.");
  if (!serves(principal.agency)) throw apiError("AGENCY_NOT_FOUND", "This node does not serve that agency.");
  return principal;
}
