import hre from "hardhat";
import type { Signer } from "ethers";
import {
  buildMerkleTree,
  createAnchoredEnvelope,
  createWebCryptoHolderSigner,
  credentialLeaf,
  findTypeById,
  issueCredential,
  parseCredential,
  selectivePathsOf,
  type CredentialSigner,
  type Envelope,
  type HolderSigner,
  type Hex,
} from "@certchain/sdk";
import { createOperatorClient } from "../../server/chain/operator";

/** A wallet's device key as the wallet makes it: WebCrypto P-256 (or Ed25519), private half non-extractable. */
export async function deviceKey(alg: "ES256" | "EdDSA" = "ES256"): Promise<HolderSigner> {
  const params = alg === "ES256" ? { name: "ECDSA", namedCurve: "P-256" } : { name: "Ed25519" };
  return createWebCryptoHolderSigner((await crypto.subtle.generateKey(params, false, ["sign", "verify"])) as CryptoKeyPair);
}

/**
 * A holder-bound certificate (`cnf.jwk`) signed with an agency's key the service holds and
 * anchored by its operator account: what collecting through OpenID4VCI gives a wallet, made here
 * with the SDK's `issueCredential({ holderKey })`. `like` is a certificate the service issued
 * (its number, type and issuer are reused). Anchor only while the service's own batcher is idle.
 */
export async function holderBoundCopy(options: {
  like: Envelope;
  signer: CredentialSigner;
  /** The device key (only its public half is read). */
  holder: Pick<HolderSigner, "publicJwk">;
  operator: Signer;
  registry: { address: Hex; id: Hex; chainId?: number };
  claims?: Record<string, unknown>;
  typeId?: string;
  issuer?: string;
}): Promise<Envelope> {
  const { payload } = parseCredential(options.like.credential);
  const type = findTypeById(options.typeId ?? "business-licence")!;
  const credential = await issueCredential({
    vct: type.vct,
    issuer: options.issuer ?? "sh-amr",
    certificateNumber: String(payload.certificate_number),
    claims: options.claims ?? (type.schema.examples[0] as Record<string, unknown>),
    selectivePaths: selectivePathsOf(type),
    signer: options.signer,
    holderKey: options.holder.publicJwk,
  });
  const leaf = credentialLeaf(credential);
  const tree = buildMerkleTree([leaf]);
  const receipt = await createOperatorClient(options.registry.address, options.operator).anchorRoot(tree.root, tree.size);
  const block = await (options.operator.provider ?? hre.ethers.provider).getBlock(receipt.blockNumber);
  return createAnchoredEnvelope(credential, {
    chainId: options.registry.chainId ?? 31337,
    registry: options.registry.address,
    registryId: options.registry.id,
    root: tree.root,
    proof: tree.proofOf(leaf)!,
    transaction: receipt.hash as Hex,
    block: receipt.blockNumber,
    anchoredAt: new Date(block!.timestamp * 1000).toISOString(),
  });
}

/** A department's DCQL query of the tests: 3 of the business licence's fields, the legal representative optional. */
export const LICENCE_QUERY = {
  credentials: [
    {
      id: "licence",
      format: "dc+sd-jwt",
      meta: { vct_values: [findTypeById("business-licence")!.vct] },
      claims: [
        { id: "name", path: ["company_name"] },
        { id: "code", path: ["unified_social_credit_code"] },
        { id: "rep", path: ["legal_representative"] },
      ],
      claim_sets: [["name", "code", "rep"], ["name", "code"]],
    },
  ],
};
