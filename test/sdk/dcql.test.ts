import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { createNodeSigner } from "../../server/keys/node-signer";
import {
  DCQL_LIMITS,
  chooseClaimOption,
  disclosedClaimsOf,
  findTypeById,
  isCertchainError,
  issueCredential,
  marriageCertificate,
  matchDcqlQuery,
  parseCredential,
  parseDcqlQuery,
  presentSdJwt,
  selectClaims,
  selectivePathsOf,
  subjectClaimsOf,
  verifyPresentation,
} from "@certchain/sdk";

const signer = createNodeSigner(generateKeyPairSync("ed25519").privateKey);
const IDENTITY = "https://credentials.example.com/identity_credential";
const licence = findTypeById("business-licence")!;

// The query examples of OpenID4VP 1.0 (examples/query_lang/*.json), as a department would send them.
const SIMPLE = {
  credentials: [{ id: "my_credential", format: "dc+sd-jwt", meta: { vct_values: [IDENTITY] }, claims: [{ path: ["family_name"] }, { path: ["given_name"] }, { path: ["address", "street_address"] }] }],
};
const CLAIMS_ALTERNATIVES = {
  credentials: [
    {
      id: "pid",
      format: "dc+sd-jwt",
      meta: { vct_values: [IDENTITY] },
      claims: [
        { id: "a", path: ["family_name"] },
        { id: "b", path: ["postal_code"] },
        { id: "c", path: ["locality"] },
        { id: "d", path: ["region"] },
        { id: "e", path: ["date_of_birth"] },
      ],
      claim_sets: [["a", "c", "d", "e"], ["a", "b", "e"]],
    },
  ],
};
const MULTI = {
  credentials: [
    SIMPLE.credentials[0],
    { id: "mdl", format: "mso_mdoc", meta: { doctype_value: "org.iso.7367.1.mVRC" }, claims: [{ path: ["org.iso.7367.1", "vehicle_holder"] }, { path: ["org.iso.18013.5.1", "given_name"] }] },
  ],
};
const SETS = {
  credentials: [
    { id: "pid", format: "dc+sd-jwt", meta: { vct_values: [IDENTITY] }, claims: [{ path: ["given_name"] }] },
    { id: "other_pid", format: "dc+sd-jwt", meta: { vct_values: ["https://othercredentials.example/pid"] }, claims: [{ path: ["given_name"] }] },
    { id: "nice_to_have", format: "dc+sd-jwt", meta: { vct_values: ["https://company.example/company_rewards"] }, claims: [{ path: ["rewards_number"] }] },
  ],
  credential_sets: [{ options: [["pid"], ["other_pid"]] }, { required: false, options: [["nice_to_have"]] }],
};

const person = {
  given_name: "John",
  family_name: "Doe",
  date_of_birth: "1940-01-01",
  postal_code: "90210",
  locality: "Milliways",
  address: { street_address: "42 Market Street", locality: "Milliways" },
  nationalities: ["British", "Betelgeusian"],
};

/** An identity credential whose address members and nationalities are disclosures of their own. */
const identity = (claims: Record<string, unknown> = person, vct = IDENTITY, holderKey?: JsonWebKey) =>
  issueCredential({ vct, issuer: "sh-gaj", certificateNumber: "ID-1", claims, signer, selectivePaths: [["address", "street_address"], ["nationalities", null]], ...(holderKey ? { holderKey } : {}) });

const notBound = (query: object) => {
  const copy = structuredClone(query) as { credentials: Record<string, unknown>[] };
  for (const credential of copy.credentials) credential.require_cryptographic_holder_binding = false;
  return copy;
};

describe("sdk: DCQL (OpenID4VP 1.0 §6, §7)", function () {
  describe("parseDcqlQuery", function () {
    it("reads the specification's examples, fills in the defaults and drops unknown members", function () {
      const query = parseDcqlQuery(JSON.stringify({ ...SIMPLE, future_extension: true }));
      expect(query).to.deep.equal({
        credentials: [{ ...SIMPLE.credentials[0], multiple: false, require_cryptographic_holder_binding: true }],
      });
      expect(parseDcqlQuery(CLAIMS_ALTERNATIVES).credentials[0].claim_sets).to.deep.equal([["a", "c", "d", "e"], ["a", "b", "e"]]);
      expect(parseDcqlQuery(MULTI).credentials[1]).to.deep.include({ format: "mso_mdoc", meta: { doctype_value: "org.iso.7367.1.mVRC" } });
      expect(parseDcqlQuery(SETS).credential_sets).to.deep.equal([{ options: [["pid"], ["other_pid"]], required: true }, { options: [["nice_to_have"]], required: false }]);
    });

    const invalid: [string, unknown][] = [
      ["not JSON", "{credentials"],
      ["a member named twice", '{"credentials":[],"credentials":[]}'],
      ["no credentials", {}],
      ["empty credentials", { credentials: [] }],
      ["an id with a space", { credentials: [{ ...SIMPLE.credentials[0], id: "my credential" }] }],
      ["a duplicate id", { credentials: [SIMPLE.credentials[0], SIMPLE.credentials[0]] }],
      ["no meta", { credentials: [{ id: "x", format: "dc+sd-jwt" }] }],
      ["dc+sd-jwt without vct_values", { credentials: [{ id: "x", format: "dc+sd-jwt", meta: {} }] }],
      ["an empty path", { credentials: [{ ...SIMPLE.credentials[0], claims: [{ path: [] }] }] }],
      ["a negative index", { credentials: [{ ...SIMPLE.credentials[0], claims: [{ path: ["a", -1] }] }] }],
      ["a fractional value", { credentials: [{ ...SIMPLE.credentials[0], claims: [{ path: ["a"], values: [1.5] }] }] }],
      ["the same path twice", { credentials: [{ ...SIMPLE.credentials[0], claims: [{ path: ["a"] }, { path: ["a"] }] }] }],
      ["claim_sets without claims", { credentials: [{ id: "x", format: "dc+sd-jwt", meta: { vct_values: ["v"] }, claim_sets: [["a"]] }] }],
      ["claim_sets naming an unknown claim", { credentials: [{ ...CLAIMS_ALTERNATIVES.credentials[0], claim_sets: [["a", "z"]] }] }],
      ["claims without ids beside claim_sets", { credentials: [{ ...SIMPLE.credentials[0], claim_sets: [["a"]] }] }],
      ["an option naming an unknown credential", { ...SETS, credential_sets: [{ options: [["nobody"]] }] }],
      ["multiple as a string", { credentials: [{ ...SIMPLE.credentials[0], multiple: "yes" }] }],
      ["too many credential queries", { credentials: Array.from({ length: DCQL_LIMITS.credentials + 1 }, (_, i) => ({ ...SIMPLE.credentials[0], id: `c${i}` })) }],
      ["too long a text", JSON.stringify({ ...SIMPLE, padding: "x".repeat(DCQL_LIMITS.textLength) })],
    ];
    for (const [what, input] of invalid) {
      it(`refuses ${what} with DCQL_QUERY_INVALID`, function () {
        expect(() => parseDcqlQuery(input)).to.throw().that.satisfies((error: unknown) => isCertchainError(error, "DCQL_QUERY_INVALID"));
      });
    }

    it("reads a hostile object once: a getter that changes its answer cannot pass one value to one check and another to the next", function () {
      let reads = 0;
      const credential = { ...SIMPLE.credentials[0] } as Record<string, unknown>;
      Object.defineProperty(credential, "id", { enumerable: true, get: () => (reads++ === 0 ? "ok" : "bad id!") });
      expect(parseDcqlQuery({ credentials: [credential] }).credentials[0].id).to.equal("ok");
      expect(reads).to.equal(1);
    });

    it("fails only with DCQL_QUERY_INVALID on any JSON", function () {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          try {
            parseDcqlQuery(value);
          } catch (error) {
            expect(isCertchainError(error, "DCQL_QUERY_INVALID"), String(error)).to.equal(true);
          }
        }),
        { numRuns: 300 },
      );
    });
  });

  describe("selectClaims (claims path pointer processing, §7.1)", function () {
    const credential = {
      name: "Arthur Dent",
      address: { street_address: "42 Market Street", locality: "Milliways", postal_code: "12345" },
      degrees: [
        { type: "Bachelor of Science", university: "University of Betelgeuse" },
        { type: "Master of Science", university: "University of Betelgeuse" },
      ],
      nationalities: ["British", "Betelgeusian"],
    };
    it("selects as the specification's examples say", function () {
      expect(selectClaims(credential, ["name"])).to.deep.equal([{ path: ["name"], value: "Arthur Dent" }]);
      expect(selectClaims(credential, ["address"])![0].value).to.deep.equal(credential.address);
      expect(selectClaims(credential, ["address", "street_address"])).to.deep.equal([{ path: ["address", "street_address"], value: "42 Market Street" }]);
      expect(selectClaims(credential, ["degrees", null, "type"])!.map((s) => s.value)).to.deep.equal(["Bachelor of Science", "Master of Science"]);
      expect(selectClaims(credential, ["nationalities", 1])).to.deep.equal([{ path: ["nationalities", 1], value: "Betelgeusian" }]);
    });
    it("aborts where the specification aborts: a step into a non-object or non-array, or nothing selected", function () {
      expect(selectClaims(credential, ["name", "first"])).to.equal(undefined);
      expect(selectClaims(credential, ["address", null])).to.equal(undefined);
      expect(selectClaims(credential, ["degrees", 0, "grade"])).to.equal(undefined);
      expect(selectClaims(credential, ["nationalities", 2])).to.equal(undefined);
      expect(selectClaims(credential, ["constructor"])).to.equal(undefined);
    });
  });

  describe("matchDcqlQuery (the wallet's side)", function () {
    it("finds the credentials that answer a query and what to reveal: a nested member reveals its own disclosure only", async function () {
      const held = [await identity(), await identity(person, "https://other.example/vct")];
      const match = matchDcqlQuery(parseDcqlQuery(notBound(SIMPLE)), held);
      expect(match.satisfiable).to.equal(true);
      expect(match.credentials.my_credential.map((c) => c.credential)).to.deep.equal([0]);
      const [option] = match.credentials.my_credential[0].options;
      expect(option.disclose).to.have.deep.members([["family_name"], ["given_name"], ["address", "street_address"]]);
      const presented = subjectClaimsOf(disclosedClaimsOf(parseCredential(presentSdJwt(held[0], option.disclose))));
      // address.locality is not a disclosure of its own: it comes with address; street_address is chosen alone.
      expect(presented).to.deep.equal({ family_name: "Doe", given_name: "John", address: { street_address: "42 Market Street", locality: "Milliways" } });
    });

    it("a query that requires holder binding (the default) matches only credentials with a holder key", async function () {
      const jwk = (await crypto.subtle.exportKey("jwk", ((await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair).publicKey)) as JsonWebKey;
      const held = [await identity(), await identity(person, IDENTITY, jwk)];
      expect(matchDcqlQuery(parseDcqlQuery(SIMPLE), held).credentials.my_credential.map((c) => c.credential)).to.deep.equal([1]);
    });

    it("claim_sets: the options a credential satisfies in the verifier's order, required and optional claims", async function () {
      const held = [await identity(), await identity({ ...person, region: "Sol" })];
      const { credentials } = matchDcqlQuery(parseDcqlQuery(notBound(CLAIMS_ALTERNATIVES)), held);
      const [first, second] = credentials.pid;
      expect(first.options.map((o) => o.claims.map((c) => c.id))).to.deep.equal([["a", "b", "e"]]);
      expect(second.options.map((o) => o.claims.map((c) => c.id))).to.deep.equal([["a", "c", "d", "e"], ["a", "b", "e"]]);
      expect(second.required.map((c) => c.id)).to.deep.equal(["a", "e"]);
      expect(second.optional.map((c) => c.id)).to.have.members(["b", "c", "d"]);
    });

    it("3 of a licence's fields, 1 optional: the holder may untick it, and the presentation holds only what was chosen", async function () {
      const sdJwt = await issueCredential({ vct: licence.vct, issuer: "sh-amr", certificateNumber: "SH-1", claims: licence.schema.examples[0] as Record<string, unknown>, signer });
      const query = parseDcqlQuery({
        credentials: [
          {
            id: "licence",
            format: "dc+sd-jwt",
            require_cryptographic_holder_binding: false,
            meta: { vct_values: [licence.vct] },
            claims: [{ id: "name", path: ["company_name"] }, { id: "code", path: ["unified_social_credit_code"] }, { id: "rep", path: ["legal_representative"] }],
            claim_sets: [["name", "code", "rep"], ["name", "code"]],
          },
        ],
      });
      const [candidate] = matchDcqlQuery(query, [sdJwt]).credentials.licence;
      expect(candidate.required.map((c) => c.id)).to.deep.equal(["name", "code"]);
      expect(candidate.optional.map((c) => c.id)).to.deep.equal(["rep"]);
      const unticked = chooseClaimOption(candidate, []);
      expect(unticked.disclose).to.deep.equal([["company_name"], ["unified_social_credit_code"]]);
      expect(Object.keys(subjectClaimsOf(disclosedClaimsOf(parseCredential(presentSdJwt(sdJwt, unticked.disclose)))))).to.have.members(["company_name", "unified_social_credit_code"]);
      expect(chooseClaimOption(candidate, ["rep"]).disclose).to.have.length(3);
      expect(() => chooseClaimOption(candidate, ["code-typo"])).to.throw().that.satisfies((e: unknown) => isCertchainError(e, "DCQL_SELECTION_INVALID"));
    });

    it("values: a claim matches only with an accepted value of the same JSON type", async function () {
      const held = [await identity()];
      const query = (values: unknown[]) => parseDcqlQuery(notBound({ credentials: [{ ...SIMPLE.credentials[0], claims: [{ path: ["postal_code"], values }] }] }));
      expect(matchDcqlQuery(query(["90210", "90211"]), held).credentials.my_credential).to.have.length(1);
      expect(matchDcqlQuery(query([90210]), held).credentials.my_credential).to.have.length(0);
    });

    it("credential_sets: satisfiable when every required set has an answerable option; optional sets may go unanswered", async function () {
      const match = matchDcqlQuery(parseDcqlQuery(notBound(SETS)), [await identity()]);
      expect(match.satisfiable).to.equal(true);
      expect(match.credentialSets).to.deep.equal([
        { required: true, options: [["pid"], ["other_pid"]], satisfiable: [["pid"]] },
        { required: false, options: [["nice_to_have"]], satisfiable: [] },
      ]);
      expect(matchDcqlQuery(parseDcqlQuery(notBound(SETS)), [await identity(person, "https://company.example/company_rewards")]).satisfiable).to.equal(false);
      // mdoc queries are never matched: the wallet holds SD-JWT VCs only.
      expect(matchDcqlQuery(parseDcqlQuery(notBound(MULTI)), [await identity()]).satisfiable).to.equal(false);
    });

    it("array elements by wildcard: every spouse's name, each revealed without the rest of the spouse", async function () {
      const claims = structuredClone(marriageCertificate.schema.examples[0]) as Record<string, unknown>;
      const sdJwt = await issueCredential({ vct: marriageCertificate.vct, issuer: "sh-mca", certificateNumber: "M-1", claims, signer, selectivePaths: selectivePathsOf(marriageCertificate) });
      const query = parseDcqlQuery(notBound({ credentials: [{ id: "m", format: "dc+sd-jwt", meta: { vct_values: [marriageCertificate.vct] }, claims: [{ path: ["spouses", null, "name"] }] }] }));
      const [candidate] = matchDcqlQuery(query, [sdJwt]).credentials.m;
      expect(candidate.options[0].disclose).to.deep.equal([["spouses", 0, "name"], ["spouses", 1, "name"]]);
      const shown = subjectClaimsOf(disclosedClaimsOf(parseCredential(presentSdJwt(sdJwt, candidate.options[0].disclose)))) as { spouses: Record<string, unknown>[] };
      expect(shown.spouses.map((s) => Object.keys(s))).to.deep.equal([["name"], ["name"]]);
    });
  });

  describe("the verifier's query check (inside verifyPresentation)", function () {
    const queryCheck = async (presentation: string, query: object) => {
      const result = await verifyPresentation({ [(query as typeof SIMPLE).credentials[0].id]: [presentation] }, { registries: [], nonce: "n", audience: "a", dcqlQuery: query, requireKeyBinding: false });
      return result.credentials[0].checks.find((c) => c.name === "query");
    };

    it("passes a nested member disclosed with the disclosures that hold it, and refuses a sibling member disclosed too", async function () {
      const claims = structuredClone(marriageCertificate.schema.examples[0]) as Record<string, unknown>;
      const sdJwt = await issueCredential({ vct: marriageCertificate.vct, issuer: "sh-mca", certificateNumber: "M-2", claims, signer, selectivePaths: selectivePathsOf(marriageCertificate) });
      const query = notBound({ credentials: [{ id: "m", format: "dc+sd-jwt", meta: { vct_values: [marriageCertificate.vct] }, claims: [{ path: ["spouses", null, "name"] }] }] });
      expect(await queryCheck(presentSdJwt(sdJwt, [["spouses", 0, "name"], ["spouses", 1, "name"]]), query)).to.include({ status: "passed" });
      expect(await queryCheck(presentSdJwt(sdJwt, [["spouses", 0, "name"], ["spouses", 1, "name"], ["spouses", 1, "id_number"]]), query)).to.include({ status: "failed", code: "DCQL_CLAIM_NOT_REQUESTED" });
      expect(await queryCheck(presentSdJwt(sdJwt, [["spouses", 0, "name"], ["spouses", 1, "name"], "notes"]), query)).to.include({ status: "failed", code: "DCQL_CLAIM_NOT_REQUESTED" });
    });

    it("passes a member that is not a disclosure of its own when its holder is disclosed whole, and asks nothing of visible claims", async function () {
      const sdJwt = await identity();
      const query = notBound({ credentials: [{ id: "id", format: "dc+sd-jwt", meta: { vct_values: [IDENTITY] }, claims: [{ path: ["address", "locality"] }, { path: ["iss"] }] }] });
      // address revealed with its street_address disclosure too: street_address was not asked for.
      expect(await queryCheck(presentSdJwt(sdJwt, ["address"]), query)).to.include({ status: "failed", code: "DCQL_CLAIM_NOT_REQUESTED" });
      // What the wallet reveals for address.locality: the address disclosure alone.
      const [candidate] = matchDcqlQuery(parseDcqlQuery(query), [sdJwt]).credentials.id;
      const addressOnly = presentSdJwt(sdJwt, candidate.options[0].disclose);
      expect(subjectClaimsOf(disclosedClaimsOf(parseCredential(addressOnly)))).to.deep.equal({ address: { locality: "Milliways" } });
      expect(await queryCheck(addressOnly, query)).to.include({ status: "passed" });
    });

    it("with no claims asked, any disclosure is too much; the always-visible claims are not disclosures", async function () {
      const sdJwt = await identity();
      const query = notBound({ credentials: [{ id: "id", format: "dc+sd-jwt", meta: { vct_values: [IDENTITY] } }] });
      expect(await queryCheck(presentSdJwt(sdJwt, []), query)).to.include({ status: "passed" });
      expect(await queryCheck(presentSdJwt(sdJwt, ["given_name"]), query)).to.include({ status: "failed", code: "DCQL_CLAIM_NOT_REQUESTED" });
    });
  });
});
