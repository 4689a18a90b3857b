import { isAllowedAlgorithm, type Hex, type SignatureAlgorithm } from "@certchain/sdk/internal";
import type { Principal, RequestContext } from "../domain/principal";
import { apiError } from "../errors";
import { requireRoot } from "./access";
import { chainFailure } from "./chain-call";
import { ROOT_WRITES, type ServiceContext } from "./context";

/**
 * Rotating an agency's signing key (root authority): the new key is registered and used at once;
 * the old ones are retired on chain only after everything they signed is anchored.
 */
export function createKeyRotation(ctx: ServiceContext) {
  const { keys, gate } = ctx;
  return {
    async rotateKey(principal: Principal, agency: string, context: RequestContext, algorithm?: SignatureAlgorithm): Promise<{ keyId: Hex; alg: SignatureAlgorithm; retired: Hex[] }> {
      requireRoot(principal);
      if (algorithm !== undefined && !isAllowedAlgorithm(algorithm)) throw apiError("VALIDATION_FAILED", undefined, [{ path: "body/algorithm", message: "must be EdDSA, ES256 or SM2" }]);
      if (typeof agency !== "string" || ctx.operatorFor(agency) === undefined) throw apiError("AGENCY_NOT_FOUND");
      let replaced;
      try {
        await gate.ready();
        replaced = await ctx.chainLock(ROOT_WRITES, () => keys.replaceSigningKey(agency, algorithm));
      } catch (error) {
        throw chainFailure(error);
      }
      // Every certificate signed with an old key must be anchored before that key is retired,
      // or its anchor time would fall after the key's end and it would never verify.
      await ctx.inFlight.settled(agency);
      await ctx.batcher.flush(agency);
      let validUntil: number;
      try {
        const latest = await ctx.provider.getBlock("latest");
        validUntil = latest!.timestamp + 1;
        await ctx.chainLock(ROOT_WRITES, () => keys.retire(agency, replaced.previous, validUntil));
      } catch {
        // The new key is in use; retiring the old ones can be done by rotating again.
        throw apiError("CHAIN_UNAVAILABLE", "The new key is registered and in use, but the old ones could not be retired now; rotate again later.");
      }
      ctx.issuerMetadata.forget(agency);
      await ctx.audit.append([
        { at: new Date(ctx.now()).toISOString(), actor: principal.subject, requestId: context.requestId, action: "key.rotate", subject: agency, data: { keyId: replaced.signer.keyId, alg: replaced.signer.alg, retired: replaced.previous, validUntil } },
      ]);
      return { keyId: replaced.signer.keyId, alg: replaced.signer.alg, retired: replaced.previous };
    },
  };
}
