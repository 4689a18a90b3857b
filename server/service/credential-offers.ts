import { createHmac, randomBytes, randomInt, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { agencyIssuerUrl } from "@certchain/sdk";
import { isErased } from "../domain/certificate";
import type { Principal, RequestContext } from "../domain/principal";
import { apiError } from "../errors";
import { secretHash, type OfferRecord } from "../store/offer-store";
import { requireAgency } from "./access";
import { erasedError, loadCertificate } from "./certificate-lookup";
import type { ServiceContext } from "./context";
import { MAX_HOLDER_COPIES } from "./holder-copies";

/** OpenID4VCI's pre-authorized code grant type. */
export const PRE_AUTHORIZED_CODE_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
/** How long an offer stays redeemable: one day unless the clerk says otherwise, from one minute to seven days. */
export const OFFER_LIFETIME_SECONDS = { default: 24 * 3600, min: 60, max: 7 * 24 * 3600 } as const;
/** The PIN a clerk sends another way: six digits. */
export const TX_CODE_LENGTH = 6;
/** Wrong PINs an offer survives; the next one locks it. */
export const TX_CODE_MAX_FAILURES = 5;
/** How long an access token works: enough to fetch a c_nonce and ask for the credential, a few times. */
export const ACCESS_TOKEN_SECONDS = 600;

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: { N: number }) => Promise<Buffer>;
// About 20 ms: a stolen database gives no PIN in bulk, and the endpoint's own limit stops guessing.
const SCRYPT_N = 2 ** 14;
const OFFER_ID = /^[A-Za-z0-9_-]{22}$/;

/** What a clerk may ask of an offer. */
export interface OfferRequest {
  /** Ask for a PIN (tx_code): the reply carries it once, for the clerk to send another way. */
  tx_code?: boolean;
  /** Seconds until the offer expires. */
  expires_in?: number;
}

/** The OpenID4VCI Credential Offer (§4.1.1) of an offer record. */
export interface CredentialOfferObject {
  credential_issuer: string;
  credential_configuration_ids: string[];
  grants: Record<typeof PRE_AUTHORIZED_CODE_GRANT, { "pre-authorized_code": string; tx_code?: { input_mode: "numeric"; length: number; description: string } }>;
}

export interface CreatedOffer {
  offer: OfferRecord;
  credentialOffer: CredentialOfferObject;
  /** The PIN, when one was asked for: shown once, never stored. */
  txCode?: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
}

const pinHash = async (pin: string, salt: Buffer): Promise<Buffer> => scryptAsync(pin, salt, 32, { N: SCRYPT_N });

/**
 * Credential offers (OpenID4VCI 1.0, pre-authorized code flow): a clerk's offer of one of the
 * agency's certificates, read by the wallet from its credential_offer_uri, and its pre-authorized
 * code exchanged once for an access token bound to that offer (the token endpoint). The code is
 * derived from the offer id under a key of the node (so the offer URI can always be answered) and
 * stored only as a hash; the PIN is stored as scrypt. Single use: a code is exchanged under the
 * certificate's lock, and its offer is then `redeemed` in the same synced write.
 */
export function createCredentialOffers(ctx: ServiceContext) {
  const { offers, certificates } = ctx;
  const codeKey = createHmac("sha256", ctx.nonceKey).update("pre-authorized code").digest();
  const codeOf = (offerId: string): string => createHmac("sha256", codeKey).update(offerId).digest("base64url");

  function offerObject(offer: OfferRecord): CredentialOfferObject {
    const grant: CredentialOfferObject["grants"][typeof PRE_AUTHORIZED_CODE_GRANT] = { "pre-authorized_code": codeOf(offer.id) };
    if (offer.txCode) grant.tx_code = { input_mode: "numeric", length: offer.txCode.length, description: `The ${offer.txCode.length}-digit PIN the issuing agency sent you separately / 发证机关另行发给您的 ${offer.txCode.length} 位数字取证码` };
    return { credential_issuer: agencyIssuerUrl(ctx.publicUrl, offer.agency), credential_configuration_ids: [offer.configuration], grants: { [PRE_AUTHORIZED_CODE_GRANT]: grant } };
  }

  const expired = (offer: OfferRecord): boolean => Date.parse(offer.expiresAt) <= ctx.now();

  return {
    /** An agency's offer of one of its certificates to the holder's wallet. */
    async createOffer(principal: Principal, certificateId: string, request: OfferRequest, context: RequestContext): Promise<CreatedOffer> {
      const agencyPrincipal = requireAgency(principal, (agency) => ctx.operatorFor(agency) !== undefined);
      // A suspended agency issues nothing, holder copies included.
      if (ctx.served.get(agencyPrincipal.agency)?.state === "suspended") throw apiError("AGENCY_SUSPENDED");
      const seconds = request.expires_in ?? OFFER_LIFETIME_SECONDS.default;
      if (!Number.isSafeInteger(seconds) || seconds < OFFER_LIFETIME_SECONDS.min || seconds > OFFER_LIFETIME_SECONDS.max) {
        throw apiError("VALIDATION_FAILED", `expires_in must be whole seconds from ${OFFER_LIFETIME_SECONDS.min} to ${OFFER_LIFETIME_SECONDS.max}.`, [{ path: "body/expires_in", message: "out of range" }]);
      }
      const record = await loadCertificate(certificates, certificateId);
      if (record.agency !== agencyPrincipal.agency) throw apiError("FORBIDDEN_AGENCY");
      // Its personal data is gone: nothing to hand to a wallet.
      if (isErased(record)) throw erasedError(record);
      // A holder copy carries its certificate's status-list index: a v1 certificate has none.
      if (record.status === "revoked" || record.status === "suspended" || record.statusIndex === undefined) {
        throw apiError("CERT_NOT_OFFERABLE", undefined, { status: record.status, ...(record.statusIndex === undefined ? { format: 1 } : {}) });
      }
      // Each collection makes a holder copy: refused now rather than when the wallet asks.
      const copies = (await certificates.copiesOf(record.id)).length;
      if (copies >= MAX_HOLDER_COPIES) throw apiError("CERT_NOT_OFFERABLE", `The certificate was collected ${copies} times already, the most it may be.`, { copies });
      const id = randomBytes(16).toString("base64url");
      const at = ctx.now();
      let txCode: string | undefined;
      let stored: OfferRecord["txCode"];
      if (request.tx_code === true) {
        txCode = Array.from({ length: TX_CODE_LENGTH }, () => randomInt(10)).join("");
        const salt = randomBytes(16);
        stored = { salt: salt.toString("base64url"), hash: (await pinHash(txCode, salt)).toString("base64url"), length: TX_CODE_LENGTH };
      }
      const offer: OfferRecord = {
        id,
        certificate: record.id,
        agency: record.agency,
        configuration: record.type,
        codeHash: secretHash(codeOf(id)),
        ...(stored ? { txCode: stored } : {}),
        txCodeFailures: 0,
        state: "offered",
        createdAt: new Date(at).toISOString(),
        expiresAt: new Date(at + seconds * 1000).toISOString(),
        createdBy: agencyPrincipal.subject,
      };
      await ctx.audit.append(
        [{ at: offer.createdAt, actor: agencyPrincipal.subject, requestId: context.requestId, action: "certificate.offer", subject: record.id, data: { agency: record.agency, offer: id, expiresAt: offer.expiresAt, txCode: stored !== undefined } }],
        offers.insertOps(offer),
      );
      return { offer, credentialOffer: offerObject(offer), ...(txCode ? { txCode } : {}) };
    },

    /** The Credential Offer a wallet reads from the offer's credential_offer_uri, while it can still be redeemed. */
    async credentialOffer(agency: string, offerId: string): Promise<CredentialOfferObject> {
      const offer = OFFER_ID.test(offerId) ? await offers.get(offerId) : undefined;
      if (!offer || offer.agency !== agency) throw apiError("OFFER_NOT_FOUND");
      if (offer.state !== "offered" || expired(offer)) throw apiError("OFFER_GONE", undefined, { state: expired(offer) && offer.state === "offered" ? "expired" : offer.state });
      return offerObject(offer);
    },

    /**
     * The token endpoint (RFC 6749 §3.2 with OpenID4VCI's pre-authorized code grant), for the
     * credential issuer `agency`: the form's fields as sent. A code is good once; a wrong PIN
     * counts, and the fifth locks the offer.
     */
    async token(agency: string, form: Record<string, unknown>): Promise<TokenResponse> {
      const field = (name: string): string | undefined => {
        const value = form[name];
        if (value === undefined) return undefined;
        // A parameter sent twice is a malformed request (RFC 6749 §3.2).
        if (typeof value !== "string") throw apiError("TOKEN_REQUEST_INVALID", `${name} is sent more than once or is not text.`);
        return value;
      };
      const grantType = field("grant_type");
      if (grantType === undefined) throw apiError("TOKEN_REQUEST_INVALID", "grant_type is missing.");
      if (grantType !== PRE_AUTHORIZED_CODE_GRANT) throw apiError("GRANT_TYPE_UNSUPPORTED");
      const code = field("pre-authorized_code");
      if (code === undefined || code === "") throw apiError("TOKEN_REQUEST_INVALID", "pre-authorized_code is missing.");
      const pin = field("tx_code");
      const found = code.length <= 128 ? await offers.byCode(code) : undefined;
      if (!found || found.agency !== agency) throw apiError("PRE_AUTHORIZED_CODE_INVALID");
      return ctx.certificateLock(found.certificate, async () => {
        const offer = (await offers.get(found.id))!;
        if (offer.state === "locked") throw apiError("TX_CODE_LOCKED");
        if (offer.state !== "offered" || expired(offer)) throw apiError("PRE_AUTHORIZED_CODE_INVALID");
        if (offer.txCode) {
          if (pin === undefined) throw apiError("TX_CODE_MISSING");
          const expected = Buffer.from(offer.txCode.hash, "base64url");
          const given = pin.length <= 32 ? await pinHash(pin, Buffer.from(offer.txCode.salt, "base64url")) : Buffer.alloc(expected.length);
          if (pin.length > 32 || !timingSafeEqual(given, expected)) {
            const failures = offer.txCodeFailures + 1;
            const locked = failures >= TX_CODE_MAX_FAILURES;
            await ctx.db.write(offers.updateOps({ ...offer, txCodeFailures: failures, ...(locked ? { state: "locked" as const } : {}) }));
            throw locked ? apiError("TX_CODE_LOCKED") : apiError("TX_CODE_WRONG", `The transaction code (PIN) is wrong; ${TX_CODE_MAX_FAILURES - failures} more tries before the offer is locked.`);
          }
        } else if (pin !== undefined) throw apiError("TX_CODE_UNEXPECTED");
        const accessToken = randomBytes(32).toString("base64url");
        const tokenExpiresAt = new Date(ctx.now() + ACCESS_TOKEN_SECONDS * 1000).toISOString();
        await ctx.db.write(offers.updateOps({ ...offer, state: "redeemed", tokenHash: secretHash(accessToken), tokenExpiresAt }));
        return { access_token: accessToken, token_type: "Bearer" as const, expires_in: ACCESS_TOKEN_SECONDS };
      });
    },

    /** Deletes offers expired more than a day ago, and used c_nonces past their expiry. */
    purgeOffers: (): Promise<number> => offers.purge(ctx.now(), 24 * 3600 * 1000),
  };
}
