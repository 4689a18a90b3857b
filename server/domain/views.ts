/** Agencies, types, accreditations and tokens as the API shows them. */
import type { Hex, TypeMetadataDocument } from "@certchain/sdk";

/** How this node serves an agency (only for agencies it serves). */
export interface AgencyServiceView {
  state: "active" | "suspended";
  /** Its operator account: the address to fund on an external chain. */
  operator: string;
  /** As last read on chain (wei, decimal strings); `funded: false`: send funds to `operator`. */
  funds?: { balance: string; needed: string; funded: boolean; checkedAt: string };
  formerOperators?: string[];
}

export interface AgencyView {
  /** Present when this node serves the agency. */
  service?: AgencyServiceView;
  id: Hex;
  slug: string;
  name: string;
  /** Unified social credit code, as the registry holds it. */
  creditCode: string;
  types: { id: string | null; vct: string | null; typeId: Hex }[];
  keyIds: Hex[];
}

/** A certificate type as the API lists it: the shape of earlier releases, plus its metadata document. */
export interface TypeView {
  id: string;
  vct: string;
  version: number;
  typeCode: string;
  names: { "zh-CN": string; en: string };
  /** Top-level claim labels, in display order. */
  claims: Record<string, { "zh-CN": string; en: string }>;
  schema: Record<string, unknown>;
  /** SD-JWT VC Type Metadata (the exact document is served at `metadataUrl`). */
  metadata: TypeMetadataDocument;
  metadataUrl: string;
  /** `vct#integrity` of its credentials. */
  integrity: string;
  builtIn: boolean;
}

export interface AccreditationView {
  agency: string;
  type: string;
  vct: string;
  typeId: Hex;
  validFrom: string;
  validUntil: string | null;
}

export interface AgencyTokenView {
  id: string;
  agency: string;
  subject: string;
  expiresAt: string;
  revokedAt?: string;
}
