import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import {
  CertchainError,
  ENVELOPE_VERSION,
  HOLDER_KEY_ALGORITHMS,
  agencyIssuerUrl,
  createPendingEnvelope,
  parseCredential,
  selectivePathsOf,
  verifyKeyProof,
  type SignatureAlgorithm,
  type VerifiedKeyProof,
} from "@certchain/sdk";
import { base64urlDecode, disclosedSubjectClaimsOf } from "@certchain/sdk/internal";
import { holderCopyId, isErased, type CertificateRecord } from "../domain/certificate";
import { apiError } from "../errors";
import { issueLocally, type UnsignedCredential } from "../keys/signing-pool";
import type { OfferRecord } from "../store/offer-store";
import type { ServiceContext } from "./context";
import { ROOT_WRITES } from "./context";

/** How long a c_nonce works: as long as a key proof may be old (verifyKeyProof's default). */
export const C_NONCE_SECONDS = 300;
/** Holder copies one certificate may have (each collection into a wallet makes one). */
export const MAX_HOLDER_COPIES = 16;
/** The key proof algorithms accepted: every holder key the SDK binds (metadata's proof_signing_alg_values_supported). */
export const PROOF_ALGORITHMS = Object.keys(HOLDER_KEY_ALGORITHMS) as SignatureAlgorithm[];

const NONCE_BYTES = { expiry: 4, random: 16, mac: 16 } as const;

/** What a credential request asks (OpenID4VCI 1.0 §8.2), as sent. */
export type CredentialRequestBody = Record<string, unknown>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The nonce and credential endpoints (OpenID4VCI 1.0 §7, §8): a fresh c_nonce, and the
 * holder-bound credential for an access token and a key proof — the certificate issued again
 * with the holder's key in `cnf.jwk` (a holder copy, see CertificateRecord.copyOf).
 *
 * A c_nonce is stateless until used: its expiry and 128 random bits under a MAC of the node's,
 * bound to the credential issuer; a used one is stored (until it expires) in the same synced
 * write as the credential it let through. One credential per offer: a retry with the same
 * holder key (a lost response) gets the same credential again; another key is refused.
 */
export function createHolderCopies(ctx: ServiceContext) {
  const { offers, certificates, keys, catalogue, accreditations } = ctx;

  const nonceMac = (agency: string, body: Buffer): Buffer => createHmac("sha256", ctx.nonceKey).update(agency).update("\0").update(body).digest().subarray(0, NONCE_BYTES.mac);

  /** The c_nonce's expiry (ms) when it is one of this issuer's and not expired; undefined otherwise. */
  function nonceExpiry(agency: string, nonce: unknown): number | undefined {
    if (typeof nonce !== "string" || nonce.length > 64) return undefined;
    let bytes: Uint8Array;
    try {
      bytes = base64urlDecode(nonce);
    } catch {
      return undefined;
    }
    const size = NONCE_BYTES.expiry + NONCE_BYTES.random + NONCE_BYTES.mac;
    if (bytes.length !== size) return undefined;
    const buffer = Buffer.from(bytes);
    const body = buffer.subarray(0, size - NONCE_BYTES.mac);
    if (!timingSafeEqual(buffer.subarray(size - NONCE_BYTES.mac), nonceMac(agency, body))) return undefined;
    const expiresAt = buffer.readUInt32BE(0) * 1000;
    return expiresAt > ctx.now() ? expiresAt : undefined;
  }

  /** The offer an access token is bound to, while the token works. */
  async function offerOfToken(agency: string, accessToken: string | undefined): Promise<OfferRecord> {
    const offer = accessToken && accessToken.length <= 128 ? await offers.byToken(accessToken) : undefined;
    if (!offer || offer.agency !== agency || !offer.tokenExpiresAt || Date.parse(offer.tokenExpiresAt) <= ctx.now()) throw apiError("ACCESS_TOKEN_INVALID");
    return offer;
  }

  /** The one `jwt` key proof of a request, or why the request is refused (OpenID4VCI 1.0 §8.2). */
  function proofOf(body: CredentialRequestBody, offer: OfferRecord): string {
    if (Object.hasOwn(body, "credential_response_encryption")) throw apiError("CREDENTIAL_ENCRYPTION_UNSUPPORTED");
    if (Object.hasOwn(body, "credential_identifier")) throw apiError("CREDENTIAL_IDENTIFIER_UNKNOWN");
    const configuration = body.credential_configuration_id;
    if (typeof configuration !== "string") throw apiError("CREDENTIAL_REQUEST_INVALID", "credential_configuration_id is missing.");
    if (configuration !== offer.configuration) throw apiError("CREDENTIAL_CONFIGURATION_UNKNOWN", `This access token covers ${JSON.stringify(offer.configuration)} only.`);
    if (Object.hasOwn(body, "proof")) throw apiError("CREDENTIAL_REQUEST_INVALID", "proof (one proof) is not part of OpenID4VCI 1.0: send proofs: { jwt: [<key proof>] }.");
    const proofs = body.proofs;
    if (proofs === undefined) throw new CertchainError("KEY_PROOF_MALFORMED", "This credential is bound to the wallet's key: send proofs: { jwt: [<key proof>] }.");
    if (!isObject(proofs)) throw apiError("CREDENTIAL_REQUEST_INVALID", "proofs must be an object.");
    const types = Object.keys(proofs);
    if (types.length !== 1 || types[0] !== "jwt") throw new CertchainError("KEY_PROOF_MALFORMED", "Only the jwt proof type is supported, with one proof.");
    const jwts = proofs.jwt;
    if (!Array.isArray(jwts) || jwts.length === 0) throw apiError("CREDENTIAL_REQUEST_INVALID", "proofs.jwt must be a non-empty array.");
    if (jwts.length > 1) throw apiError("CREDENTIAL_REQUEST_INVALID", "One credential per offer: send one key proof (batch issuance is not supported).");
    return jwts[0] as string;
  }

  /** The unsigned holder copy of a certificate: its credential again, bound to `holderKey`. */
  function copyOf(record: CertificateRecord, holder: VerifiedKeyProof): UnsignedCredential {
    const parsed = parseCredential(record.envelope.credential);
    const payload = parsed.payload as Record<string, unknown> & { status?: { status_list?: { idx: number; uri: string } } };
    const entry = catalogue.byVct(record.vct ?? payload.vct) ?? catalogue.byId(record.type);
    if (!entry || !payload.status?.status_list) throw apiError("CREDENTIAL_REQUEST_DENIED", "The certificate's type or status-list entry is unknown to this service.");
    return {
      vct: payload.vct as string,
      issuer: record.agency,
      issuerUri: agencyIssuerUrl(ctx.publicUrl, record.agency),
      vctIntegrity: payload["vct#integrity"] as string | undefined,
      selectivePaths: selectivePathsOf(entry.type),
      status: { idx: payload.status.status_list.idx, uri: payload.status.status_list.uri },
      certificateNumber: payload.certificate_number as string,
      claims: disclosedSubjectClaimsOf(parsed),
      issuedAt: Math.floor(ctx.now() / 1000),
      validFrom: payload.nbf as number | undefined,
      validUntil: payload.exp as number | undefined,
      holderKey: holder.jwk,
    };
  }

  /** Signs and stores the holder copy (one synced write with the offer and the used c_nonce); then anchoring. */
  async function issueCopy(offer: OfferRecord, holder: VerifiedKeyProof, nonce: string, nonceExpiresAt: number): Promise<string> {
    const record = await certificates.get(offer.certificate);
    if (!record || record.copyOf !== undefined) throw apiError("CREDENTIAL_REQUEST_DENIED", "The certificate no longer exists.");
    if (isErased(record)) throw apiError("CREDENTIAL_REQUEST_DENIED", "The certificate's personal data was erased.");
    if (record.status === "revoked" || record.status === "suspended") throw apiError("CREDENTIAL_REQUEST_DENIED", `The certificate is ${record.status}.`);
    if (ctx.served.get(record.agency)?.state === "suspended") throw apiError("CREDENTIAL_REQUEST_DENIED", "The issuing agency is suspended: it issues nothing now.");
    const copies = await certificates.copiesOf(record.id);
    if (copies.length >= MAX_HOLDER_COPIES) throw apiError("CREDENTIAL_REQUEST_DENIED", `The certificate was collected ${MAX_HOLDER_COPIES} times already; ask the agency.`);
    const unsigned = copyOf(record, holder);
    const entry = catalogue.byVct(unsigned.vct)!;
    if (!(await accreditations.isAccredited(record.agency, entry.type))) throw apiError("CREDENTIAL_REQUEST_DENIED", "The agency is no longer accredited for this certificate type.");
    let signer = keys.activeSigner(record.agency);
    if (signer === undefined) {
      try {
        signer = await ctx.chainLock(ROOT_WRITES, () => keys.ensureSigningKey(record.agency));
      } catch {
        throw apiError("CHAIN_UNAVAILABLE", "The agency's signing key cannot be registered now; try again later.");
      }
    }
    const [issued] = await issueLocally(signer, [unsigned]);
    const at = ctx.now();
    const createdAt = new Date(at).toISOString();
    const id = holderCopyId(record.id, Math.max(0, ...copies.map((c) => Number(c.id.slice(record.id.length + 1)))) + 1);
    const copy: CertificateRecord = {
      id,
      agency: record.agency,
      type: record.type,
      vct: unsigned.vct,
      statusIndex: record.statusIndex,
      status: "pending",
      envelope: createPendingEnvelope(issued.credential, ctx.chainId, ctx.registryAddress, ctx.proofService, ctx.registryIds.current(), ENVELOPE_VERSION),
      leaf: issued.leaf,
      createdAt,
      copyOf: record.id,
      holderKey: holder.thumbprint,
    };
    await ctx.audit.append(
      [{ at: createdAt, actor: `holder:${holder.thumbprint}`, requestId: `offer:${offer.id}`, action: "certificate.collect", subject: record.id, data: { agency: record.agency, copy: id, leaf: issued.leaf, keyId: signer.keyId, holderKey: holder.thumbprint, offer: offer.id } }],
      () => [...certificates.insertCopyOps(copy, at), ...offers.updateOps({ ...offer, state: "issued", copy: id, holderKey: holder.thumbprint }), ...offers.useNonceOps(nonce, nonceExpiresAt)],
    );
    ctx.batcher.enqueue([{ id, agency: record.agency, leaf: issued.leaf, at }]);
    return issued.credential;
  }

  return {
    /** A fresh c_nonce of the credential issuer `agency` (§7.2). */
    nonce(agency: string): { c_nonce: string } {
      if (ctx.operatorFor(agency) === undefined) throw apiError("AGENCY_NOT_FOUND");
      const body = Buffer.alloc(NONCE_BYTES.expiry + NONCE_BYTES.random);
      body.writeUInt32BE(Math.floor(ctx.now() / 1000) + C_NONCE_SECONDS, 0);
      randomBytes(NONCE_BYTES.random).copy(body, NONCE_BYTES.expiry);
      return { c_nonce: Buffer.concat([body, nonceMac(agency, body)]).toString("base64url") };
    },

    /**
     * The credential endpoint (§8): `accessToken` from the Authorization header, `body` the JSON
     * request. Returns the holder-bound credential (SD-JWT VC, compact, with all disclosures).
     */
    async credential(agency: string, accessToken: string | undefined, body: unknown): Promise<{ credential: string }> {
      const token = await offerOfToken(agency, accessToken);
      if (!isObject(body)) throw apiError("CREDENTIAL_REQUEST_INVALID", "The body must be a JSON object.");
      const jwt = proofOf(body, token);
      const credentialIssuer = agencyIssuerUrl(ctx.publicUrl, agency);
      // Everything but the nonce's freshness first (signature, aud, iat, typ, key): the proof names its nonce.
      const claimed = claimedNonce(jwt);
      // Throws CertchainError KEY_PROOF_* (routes/oid4vci.ts answers KEY_PROOF_CODES[code][0]).
      const holder = await verifyKeyProof(jwt, { credentialIssuer, nonce: claimed ?? "", algorithms: PROOF_ALGORITHMS });
      const nonceExpiresAt = nonceExpiry(agency, claimed);
      if (claimed === undefined || nonceExpiresAt === undefined) throw apiError("C_NONCE_INVALID");
      // The nonce first, then the certificate: one use of a nonce across every offer, one credential per offer.
      return ctx.certificateLock(`c_nonce:${claimed}`, () =>
        ctx.certificateLock(token.certificate, async () => {
          const offer = (await offers.get(token.id))!;
          if (offer.state === "issued") {
            if (offer.holderKey !== holder.thumbprint || offer.copy === undefined) throw apiError("CREDENTIAL_REQUEST_DENIED", "This offer's credential was issued already, to another key.");
            const copy = await certificates.get(offer.copy);
            if (!copy || copy.copyOf === undefined || isErased(copy)) throw apiError("CREDENTIAL_REQUEST_DENIED", "This offer's credential no longer exists.");
            return { credential: copy.envelope.credential };
          }
          if (offer.state !== "redeemed") throw apiError("ACCESS_TOKEN_INVALID");
          if (await offers.nonceUsed(claimed)) throw apiError("C_NONCE_INVALID");
          return { credential: await issueCopy(offer, holder, claimed, nonceExpiresAt) };
        }),
      );
    },
  };
}

/** The `nonce` a key proof's payload names (read before its signature is checked, to find the c_nonce). */
function claimedNonce(jwt: string): string | undefined {
  if (typeof jwt !== "string" || jwt.length > 8192) return undefined;
  const parts = jwt.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    const nonce = isObject(payload) ? payload.nonce : undefined;
    return typeof nonce === "string" ? nonce : undefined;
  } catch {
    return undefined;
  }
}
