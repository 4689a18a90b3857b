import { parseCredential } from "../credential/parse";
import { sdHashFunctionOf } from "../credential/sd-alg";
import { parseEnvelope, type Envelope } from "../envelope/envelope";
import { CertchainError } from "../errors";
import { holderKeyOfCredential, readHolderKey } from "../holder-binding/holder-key";
import type { HolderSigner } from "../holder-binding/holder-signer";
import { signCompactJws } from "../lib/compact-jws";
import { PRESENT_ERRORS, PRESENTATION_CODES } from "./codes";
import { KEY_BINDING_TYPE } from "./key-binding";
import { presentSdJwt, type RevealPath } from "./present";

/** What {@link presentWithKeyBinding} needs besides the credential. */
export interface PresentWithKeyBindingParameters {
  /** The claims to reveal, as `presentCredential` takes them (a DCQL match's `disclose`). */
  disclose: readonly RevealPath[];
  /** The request's `nonce`. */
  nonce: string;
  /** The verifier's client identifier (`client_id` of the request, with its prefix): the KB-JWT's `aud`. */
  audience: string;
  /** The device key the credential is bound to. */
  holderSigner: HolderSigner;
  /** Seconds since the epoch. Default: now. */
  issuedAt?: number;
}

const credentialOf = (input: Envelope | string): string =>
  typeof input === "string" && !input.trimStart().startsWith("{") ? input : parseEnvelope(input).credential;

/**
 * Builds a presentation with key binding (SD-JWT+KB, RFC 9901 §4.3): the credential with only
 * `disclose` revealed, then a key-binding JWT (`typ: kb+jwt`, `alg` the holder key's) with `iat`,
 * `aud`, `nonce` and `sd_hash` — the credential's `_sd_alg` hash of the presented SD-JWT up to
 * and including its last `~` — signed with the holder key. This is the string a wallet puts in an
 * OpenID4VP `vp_token` (`{ "<credential query id>": [presentation] }`). The credential may be an
 * envelope (object or JSON text) or a compact SD-JWT; its anchor proof is not part of the result.
 *
 * @throws CertchainError `PRESENTATION_UNKNOWN_CLAIM` (a path the certificate does not hold),
 * `PRESENTATION_NOT_HOLDER_BOUND` (no `cnf`), `PRESENTATION_HOLDER_KEY_MISMATCH` (the signer's
 * key is not the one in `cnf`), or a `FORMAT_*` code for a credential that cannot be read.
 * @example
 * const vpToken = { licence: [await presentWithKeyBinding(envelope, { disclose: ["company_name"], nonce, audience: clientId, holderSigner })] };
 */
export async function presentWithKeyBinding(input: Envelope | string, parameters: PresentWithKeyBindingParameters): Promise<string> {
  const presented = presentSdJwt(credentialOf(input), parameters.disclose);
  const { payload } = parseCredential(presented);
  const bound = holderKeyOfCredential(payload);
  if (!bound.ok) {
    if (bound.problem === "absent") throw new CertchainError("PRESENTATION_NOT_HOLDER_BOUND", PRESENT_ERRORS.PRESENTATION_NOT_HOLDER_BOUND);
    throw new CertchainError("HOLDER_KEY_UNSUPPORTED", PRESENTATION_CODES.HOLDER_KEY_UNSUPPORTED[1]);
  }
  const signer = readHolderKey(parameters.holderSigner.publicJwk);
  if (!signer.ok || signer.key.thumbprint !== bound.key.thumbprint || parameters.holderSigner.alg !== bound.key.alg) {
    throw new CertchainError("PRESENTATION_HOLDER_KEY_MISMATCH", PRESENT_ERRORS.PRESENTATION_HOLDER_KEY_MISMATCH);
  }
  const sdHash = sdHashFunctionOf(payload);
  if (!sdHash) throw new CertchainError("INTEGRITY_UNSUPPORTED_HASH", `the credential's _sd_alg ${JSON.stringify(payload._sd_alg)} is not supported`);
  const kbJwt = await signCompactJws(
    { alg: bound.key.alg, typ: KEY_BINDING_TYPE },
    { iat: parameters.issuedAt ?? Math.floor(Date.now() / 1000), aud: parameters.audience, nonce: parameters.nonce, sd_hash: sdHash(presented) },
    (signingInput) => parameters.holderSigner.sign(signingInput),
  );
  return presented + kbJwt;
}
