import { expect } from "chai";
import { id as ethersId } from "ethers";
import fc from "fast-check";
import {
  businessLicence,
  birthMedicalCertificate,
  certificateTypes,
  defineCertificateType,
  findTypeById,
  findTypeByVct,
  marriageCertificate,
  notarisationReceipt,
  productionLicence,
  typeIdOf,
  validateClaims,
  isCertchainError,
  type CertificateType,
} from "@certchain/sdk";

type Claims = Record<string, unknown>;
const completeExample = (type: CertificateType): Claims => structuredClone(type.schema.examples[0]) as Claims;

function expectRejected(type: CertificateType, claims: unknown, pathPrefix: string): void {
  const result = validateClaims(type, claims);
  expect(result.ok, JSON.stringify(claims)).to.equal(false);
  if (result.ok) return;
  expect(result.errors.some((error) => error.path.startsWith(pathPrefix)), JSON.stringify(result.errors)).to.equal(true);
}

// A value of a JSON type different from the example's: every claim must reject it.
const wrongTypeFor = (value: unknown): unknown => (typeof value === "string" ? 12345 : "not the right type");

// One bad-pattern case per type, aimed at its identifying claim.
const badPatterns: { type: CertificateType; mutate: (claims: any) => void; path: string }[] = [
  // "I" is not in the unified social credit code alphabet.
  { type: businessLicence, mutate: (c) => (c.unified_social_credit_code = "91310115MA1H7Q2K3I"), path: "/unified_social_credit_code" },
  { type: marriageCertificate, mutate: (c) => (c.spouses[0].id_number = "33010619930211357x"), path: "/spouses/0/id_number" },
  { type: birthMedicalCertificate, mutate: (c) => (c.mother.id_number = "5101-0719"), path: "/mother/id_number" },
  { type: productionLicence, mutate: (c) => (c.unified_social_credit_code = "91330521MA2B4RT6X"), path: "/unified_social_credit_code" },
  { type: notarisationReceipt, mutate: (c) => (c.document_digest = c.document_digest.toUpperCase()), path: "/document_digest" },
];

describe("sdk/types", () => {
  it("registers five types with unique ids, vcts and type codes", () => {
    expect(certificateTypes).to.have.length(5);
    for (const key of ["id", "vct", "typeCode"] as const) {
      expect(new Set(certificateTypes.map((type) => type[key])).size, key).to.equal(certificateTypes.length);
    }
    expect(Object.isFrozen(certificateTypes)).to.equal(true);
  });

  it("typeIdOf equals ethers.id(vct) (keccak256 of the UTF-8 vct)", () => {
    for (const type of certificateTypes) expect(typeIdOf(type.vct)).to.equal(ethersId(type.vct));
    expect(typeIdOf("证照")).to.equal(ethersId("证照"));
    expect(() => typeIdOf(42 as unknown as string)).to.throw().that.satisfies((e: unknown) => isCertchainError(e, "VCT_INVALID"));
  });

  it("finds types by id and vct, and nothing for unknown or hostile keys", () => {
    for (const type of certificateTypes) {
      expect(findTypeById(type.id)).to.equal(type);
      expect(findTypeByVct(type.vct)).to.equal(type);
    }
    for (const key of ["unknown", "__proto__", "constructor", "toString", "", undefined, null, 1, {}]) {
      expect(findTypeById(key)).to.equal(undefined);
      expect(findTypeByVct(key)).to.equal(undefined);
    }
  });

  for (const type of certificateTypes) {
    describe(type.id, () => {
      const properties = Object.keys(type.schema.properties);

      it("is frozen and declares JSON Schema draft 2020-12", () => {
        expect(Object.isFrozen(type)).to.equal(true);
        expect(Object.isFrozen(type.schema.properties)).to.equal(true);
        expect(type.schema.$schema).to.equal("https://json-schema.org/draft/2020-12/schema");
        expect(type.vct).to.equal(`urn:certchain:vct:${type.id}:${type.version}`);
        expect(type.typeCode).to.match(/^[0-9A-Z]{4}$/);
      });

      it("has a zh-CN and en label for exactly the schema properties", () => {
        expect(Object.keys(type.claims)).to.have.members(properties);
        for (const label of Object.values(type.claims)) {
          expect(label["zh-CN"]).to.match(/\p{Script=Han}/u);
          expect(label.en).to.be.a("string").that.is.not.empty;
        }
      });

      it("accepts every example, and the first is complete", () => {
        for (const example of type.schema.examples) expect(validateClaims(type, example)).to.deep.equal({ ok: true });
        expect(Object.keys(type.schema.examples[0])).to.have.members(properties);
      });

      it("rejects each missing required claim, unless partial", () => {
        expect(type.schema.required).to.not.be.empty;
        for (const name of type.schema.required ?? []) {
          const claims = completeExample(type);
          delete claims[name];
          const result = validateClaims(type, claims);
          expect(result).to.deep.include({ ok: false });
          if (!result.ok) expect(result.errors).to.deep.include({ path: `/${name}`, message: `must have required property '${name}'` });
          expect(validateClaims(type, claims, { partial: true })).to.deep.equal({ ok: true });
        }
      });

      it("rejects a claim of the wrong type, also when partial", () => {
        for (const name of properties) {
          const claims = completeExample(type);
          claims[name] = wrongTypeFor(claims[name]);
          expectRejected(type, claims, `/${name}`);
          expect(validateClaims(type, claims, { partial: true }).ok).to.equal(false);
        }
      });

      it("rejects an extra claim, also when partial", () => {
        const claims = { ...completeExample(type), favourite_colour: "红" };
        const result = validateClaims(type, claims);
        expect(result).to.deep.equal({ ok: false, errors: [{ path: "/favourite_colour", message: "must NOT have additional properties" }] });
        expect(validateClaims(type, claims, { partial: true }).ok).to.equal(false);
      });

      it("rejects a value that breaks its pattern", () => {
        const cases = badPatterns.filter((c) => c.type === type);
        expect(cases).to.have.length(1);
        for (const { mutate, path } of cases) {
          const claims = completeExample(type);
          mutate(claims);
          expectRejected(type, claims, path);
        }
      });

      it("never throws on hostile claims", () => {
        const throwingGetter = Object.defineProperty({ ...completeExample(type) }, properties[0], {
          enumerable: true,
          get() {
            throw new Error("boom");
          },
        });
        const empty = Object.create(null);
        const hostile: unknown[] = [
          undefined, null, 0, "claims", true, [], [completeExample(type)], () => 1, Symbol("s"), 10n,
          empty, JSON.parse(`{"__proto__": {"polluted": true}}`), { constructor: "x", toString: 1 },
          throwingGetter,
          new Proxy({}, { ownKeys: () => { throw new Error("boom"); }, get: () => { throw new Error("boom"); } }),
          Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])),
        ];
        for (const claims of hostile) {
          const result = validateClaims(type, claims);
          expect(result.ok).to.equal(false);
          if (!result.ok) expect(result.errors.length).to.be.within(1, 20);
          // Partial: an empty (null-prototype) object is a legitimate "disclose nothing".
          const partial = validateClaims(type, claims, { partial: true });
          expect(partial.ok).to.equal(claims === empty);
        }
        expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
        fc.assert(fc.property(fc.anything(), (claims) => validateClaims(type, claims).ok === false), { numRuns: 200 });
      });
    });
  }

  it("checks formats: impossible dates and date-times without an offset are rejected", () => {
    const licence = { ...completeExample(businessLicence), date_of_establishment: "2023-02-29" };
    expectRejected(businessLicence, licence, "/date_of_establishment");
    const birth = { ...completeExample(birthMedicalCertificate), date_time_of_birth: "2024-03-08T09:42:00" };
    expectRejected(birthMedicalCertificate, birth, "/date_time_of_birth");
    const open = { ...completeExample(businessLicence), business_term_end: "2038-06-20" };
    expect(validateClaims(businessLicence, open)).to.deep.equal({ ok: true });
    expectRejected(businessLicence, { ...open, business_term_end: "永久" }, "/business_term_end");
  });

  it("holds the marriage certificate to exactly two spouses", () => {
    const claims = completeExample(marriageCertificate) as { spouses: unknown[] };
    expectRejected(marriageCertificate, { ...claims, spouses: claims.spouses.slice(0, 1) }, "/spouses");
    expectRejected(marriageCertificate, { ...claims, spouses: [...claims.spouses, claims.spouses[0]] }, "/spouses");
  });

  it("escapes claim names in error paths (RFC 6901)", () => {
    const result = validateClaims(notarisationReceipt, { ...completeExample(notarisationReceipt), "a/b~c": 1 });
    expect(result).to.deep.equal({ ok: false, errors: [{ path: "/a~1b~0c", message: "must NOT have additional properties" }] });
  });

  describe("defineCertificateType", () => {
    const valid = (): any => ({
      id: "fishing-licence",
      vct: "urn:certchain:vct:fishing-licence:1",
      typeCode: "BLXK",
      names: { "zh-CN": "捕捞许可证", en: "Fishing licence" },
      claims: { vessel_name: { "zh-CN": "船名", en: "Vessel name" }, port: { "zh-CN": "船籍港", en: "Port of registry" } },
      schema: {
        type: "object",
        properties: { vessel_name: { type: "string" }, port: { type: "string" } },
        required: ["vessel_name"],
        additionalProperties: false,
        examples: [{ vessel_name: "浙岱渔03512", port: "舟山" }],
      },
    });

    it("accepts a consistent definition, copies and freezes it", () => {
      const input = valid();
      const type = defineCertificateType(input);
      input.schema.properties.vessel_name.type = "number";
      expect(type.schema.properties.vessel_name).to.deep.equal({ type: "string" });
      expect(Object.isFrozen(type.schema.examples[0])).to.equal(true);
      expect(validateClaims(type, { vessel_name: "浙岱渔03512" })).to.deep.equal({ ok: true });
    });

    const broken: [string, (def: any) => void][] = [
      ["a property without a label", (def) => delete def.claims.port],
      ["a label without a property", (def) => (def.claims.owner = { "zh-CN": "船东", en: "Owner" })],
      ["an empty label", (def) => (def.claims.port.en = "")],
      ["no examples", (def) => delete def.schema.examples],
      ["empty examples", (def) => (def.schema.examples = [])],
      ["an incomplete first example", (def) => (def.schema.examples = [{ vessel_name: "x" }])],
      ["an open schema", (def) => (def.schema.additionalProperties = true)],
      ["a required claim that is not a property", (def) => def.schema.required.push("owner")],
      ["a vct for another id", (def) => (def.vct = "urn:certchain:vct:business-licence:1")],
      ["a bad type code", (def) => (def.typeCode = "blx")],
      ["a bad slug", (def) => (def.id = "Fishing Licence")],
      ["a reserved claim name", (def) => {
        def.schema.properties.iss = { type: "string" };
        def.claims.iss = { "zh-CN": "签发者", en: "Issuer" };
        def.schema.examples[0].iss = "x";
      }],
    ];
    for (const [what, breakIt] of broken) {
      it(`rejects ${what} with CERT_TYPE_INVALID`, () => {
        const def = valid();
        breakIt(def);
        expect(() => defineCertificateType(def)).to.throw().that.satisfies((e: unknown) => isCertchainError(e, "CERT_TYPE_INVALID"));
      });
    }

    it("reports a schema the validator cannot use on first use, with CERT_TYPE_SCHEMA_INVALID", () => {
      const def = valid();
      def.schema.properties.vessel_name = { type: "string", minLenght: 1 };
      const type = defineCertificateType(def);
      expect(() => validateClaims(type, {})).to.throw().that.satisfies((e: unknown) => isCertchainError(e, "CERT_TYPE_SCHEMA_INVALID"));
    });
  });
});
