import { expect } from "chai";
import fc from "fast-check";
import {
  checkCreditCode,
  creditCodeCheckCharacter,
  creditCodeFromBytes18,
  creditCodeToBytes18,
  formatCertificateNumber,
  isCertchainError,
  parseCertificateNumber,
  type CertificateNumberParts,
} from "@certchain/sdk";
// The check-character functions are not public API: reached through the repository-only entry.
import { computeCheckCharacter, isValidCheckCharacter } from "@certchain/sdk/internal";
import { derivedCreditCode } from "../../server/service/identifiers";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

// Independent oracle, written in the other common formulation of the hybrid recurrence (start
// at M/2, double then add): a string with its check character must leave remainder 1.
function referenceRemainder(text: string): number {
  let r = 18;
  for (const char of text) r = (((r || 36) * 2) % 37 + ALPHABET.indexOf(char)) % 36;
  return r;
}

// Published MOD 37,36 vectors (input → check character), from jacoelho/go-iso7064's tests and
// the ISAN examples used by xbib/standardnumber.
const VECTORS: [string, string][] = [
  ["A12425GABC1234002", "M"],
  ["B159D8FA01240000", "K"],
  ["188166C734200000", "3"],
  ["RABD", "A"],
  ["X0H", "X"],
  ["B7Q3SFTUSH2QN7BIXBPMNZAM", "I"],
  ["UFSYYJO9FCID766EJYAEINTG43UZDD84MT6ZUDH08OM4N1K", "N"],
  ["TBR", "1"],
  ["9", "J"],
  ["OW", "N"],
  ["1M", "Q"],
  ["WP8Z0", "9"],
];

const segment = fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 1, maxLength: 32 });
const parts: fc.Arbitrary<CertificateNumberParts> = fc.record({
  typeCode: segment,
  issuerCode: segment,
  serial: segment,
  version: fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 1, maxLength: 3 }),
});
const number = parts.map(formatCertificateNumber);

const EXAMPLE = "1.2.156.3005.2.YYZZ.11310115MB2F3G4H5U.20240000001.1.K";

const isAlphabetNeighbour = (a: string, b: string): boolean => {
  const d = Math.abs(ALPHABET.indexOf(a) - ALPHABET.indexOf(b));
  return d === 1 || d === 35;
};

describe("sdk/certificate-number", () => {
  describe("MOD 37,36", () => {
    it("matches published check characters", () => {
      for (const [input, check] of VECTORS) {
        expect(computeCheckCharacter(input), input).to.equal(check);
        expect(isValidCheckCharacter(input + check), input).to.equal(true);
        expect(referenceRemainder(input + check), input).to.equal(1);
      }
    });

    it("leaves remainder 1 with its check character, and only with it", () => {
      fc.assert(
        fc.property(fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 64 }), (input) => {
          const check = computeCheckCharacter(input);
          expect(referenceRemainder(input + check)).to.equal(1);
          for (const other of ALPHABET) expect(isValidCheckCharacter(input + other)).to.equal(other === check);
        }),
      );
    });

    it("misses exactly 36 adjacent transpositions, all of alphabet neighbours", () => {
      // One leading character reaches each of the 36 running states once.
      const missed: string[] = [];
      for (const lead of ALPHABET)
        for (let i = 0; i < 36; i++)
          for (let j = i + 1; j < 36; j++) {
            const [a, b] = [ALPHABET[i], ALPHABET[j]];
            if (computeCheckCharacter(lead + a + b) === computeCheckCharacter(lead + b + a)) missed.push(a + b);
          }
      expect(missed).to.have.length(36);
      for (const pair of missed) expect(isAlphabetNeighbour(pair[0], pair[1]), pair).to.equal(true);
    });

    it("rejects input outside 0-9A-Z", () => {
      for (const bad of ["abc", "A-B", "Ａ", " ", 42, null, undefined]) {
        expect(() => computeCheckCharacter(bad as string)).to.throw().that.satisfies((e: unknown) => isCertchainError(e, "CHECK_INPUT_INVALID"));
        expect(isValidCheckCharacter(bad)).to.equal(false);
      }
      expect(isValidCheckCharacter("")).to.equal(false);
    });
  });

  describe("formatCertificateNumber / parseCertificateNumber", () => {
    it("formats the e-licence identifier layout", () => {
      const formatted = formatCertificateNumber({ typeCode: "YYZZ", issuerCode: "11310115MB2F3G4H5U", serial: "20240000001", version: 1 });
      expect(formatted).to.equal(EXAMPLE);
      // The check covers the identifier without dots and without the check character.
      expect(referenceRemainder(EXAMPLE.replace(/\./g, ""))).to.equal(1);
      expect(parseCertificateNumber(EXAMPLE)).to.deep.equal({
        ok: true,
        parts: { typeCode: "YYZZ", issuerCode: "11310115MB2F3G4H5U", serial: "20240000001", version: "1", checkCharacter: "K" },
      });
    });

    it("round-trips format → parse", () => {
      fc.assert(
        fc.property(parts, (p) => {
          const result = parseCertificateNumber(formatCertificateNumber(p));
          expect(result.ok).to.equal(true);
          if (result.ok) expect({ ...result.parts, checkCharacter: undefined }).to.deep.equal({ ...p, checkCharacter: undefined });
        }),
      );
    });

    it("detects every single-character substitution", () => {
      const replacement = fc.constantFrom(...ALPHABET, ".", "a", "z", " ", "-", "Ｏ", "〇", "\u0000");
      fc.assert(
        fc.property(number, fc.nat(), replacement, (valid, at, char) => {
          const i = at % valid.length;
          const mutated = valid.slice(0, i) + char + valid.slice(i + 1);
          if (mutated !== valid) expect(parseCertificateNumber(mutated).ok, mutated).to.equal(false);
        }),
        { numRuns: 5000 },
      );
    });

    it("detects every adjacent transposition of characters, bar MOD 37,36's neighbour blind spot", () => {
      let missed = 0;
      fc.assert(
        fc.property(number, fc.nat(), (valid, at) => {
          const i = at % (valid.length - 1);
          const [a, b] = [valid[i], valid[i + 1]];
          if (a === b || a === "." || b === ".") return;
          const swapped = valid.slice(0, i) + b + a + valid.slice(i + 2);
          const result = parseCertificateNumber(swapped);
          if (result.ok) {
            missed++;
            expect(isAlphabetNeighbour(a, b), swapped).to.equal(true);
          } else {
            expect(result.code).to.be.oneOf(["CERT_NUMBER_CHECK_FAILED", "CERT_NUMBER_MALFORMED"]);
          }
        }),
        { numRuns: 5000 },
      );
      expect(missed).to.be.below(50);
    });

    it("does not catch a dot moved across one character (the dots are not checked)", () => {
      // Pinned on purpose: changing what the check covers changes every issued number.
      const a = formatCertificateNumber({ typeCode: "YYZZ", issuerCode: "AB", serial: "C", version: "1" });
      const b = formatCertificateNumber({ typeCode: "YYZZ", issuerCode: "A", serial: "BC", version: "1" });
      expect(a.slice(-1)).to.equal(b.slice(-1));
    });

    it("reports a wrong check character as CERT_NUMBER_CHECK_FAILED", () => {
      const wrong = EXAMPLE.slice(0, -1) + "L";
      expect(parseCertificateNumber(wrong)).to.deep.include({ ok: false, code: "CERT_NUMBER_CHECK_FAILED" });
    });

    it("reports malformed input as CERT_NUMBER_MALFORMED, without throwing or echoing it", () => {
      const malformed: unknown[] = [
        undefined, null, 0, 1.5, true, {}, [], [EXAMPLE], new String(EXAMPLE), Symbol("n"), 10n, () => EXAMPLE,
        "", " ", ` ${EXAMPLE}`, `${EXAMPLE}\n`, EXAMPLE.toLowerCase(), EXAMPLE.replace("1.2.156", "1.2.840"),
        EXAMPLE.replace(".YYZZ", ""), EXAMPLE.replace("YYZZ", ""), EXAMPLE.replace("YYZZ", "Y".repeat(33)),
        EXAMPLE.replace(".1.K", ".1000.K"), EXAMPLE.replace(".1.K", ".A.K"), `${EXAMPLE}K`, EXAMPLE.replace(/\./g, ""),
        EXAMPLE.replace("YYZZ", "ＹＹＺＺ"), EXAMPLE.replace("YYZZ", "YY_Z"), "1.2.156.3005.2....1.K",
        `1.2.156.3005.2.${"A".repeat(1_000_000)}.B.C.1.K`,
      ];
      for (const input of malformed) {
        const result = parseCertificateNumber(input);
        expect(result).to.deep.include({ ok: false, code: "CERT_NUMBER_MALFORMED" });
        if (!result.ok && typeof input === "string" && input.length > 8) expect(result.message).to.not.include(input);
      }
      fc.assert(fc.property(fc.anything(), (input) => parseCertificateNumber(input).ok === false));
    });

    it("refuses to format out-of-range parts with CERT_NUMBER_PART_INVALID", () => {
      const good = { typeCode: "YYZZ", issuerCode: "11310115MB2F3G4H5U", serial: "20240000001", version: 1 };
      const bad: [string, unknown][] = [
        ["typeCode", "yyzz"], ["typeCode", ""], ["typeCode", "A".repeat(33)], ["typeCode", "YY.Z"],
        ["issuerCode", undefined], ["serial", 2024], ["serial", "2024 0001"],
        ["version", 1000], ["version", -1], ["version", 1.5], ["version", "1000"], ["version", "A"], ["version", NaN],
      ];
      for (const [part, value] of bad) {
        expect(() => formatCertificateNumber({ ...good, [part]: value } as never), `${part}=${String(value)}`)
          .to.throw()
          .that.satisfies((e: unknown) => isCertchainError(e, "CERT_NUMBER_PART_INVALID") && (e.details as { part: string }).part === part);
      }
      for (const params of [undefined, null, "x"]) {
        expect(() => formatCertificateNumber(params as never)).to.throw().that.satisfies((e: unknown) => isCertchainError(e, "CERT_NUMBER_PART_INVALID"));
      }
      expect(formatCertificateNumber({ ...good, version: "001" })).to.match(/\.001\.[0-9A-Z]$/);
    });
  });

  describe("unified social credit codes (GB 32100-2015)", () => {
    const USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    // Published codes of real legal entities: their check characters come from the issuing authorities.
    const REAL = ["91110108551385082Q", "914403001922038216", "91350100M000100Y43", "11100000000013127D", "12100000400000624D"];
    const body17 = fc.tuple(fc.string({ unit: fc.constantFrom(...USCC), minLength: 2, maxLength: 2 }), fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 6, maxLength: 6 }), fc.string({ unit: fc.constantFrom(...USCC), minLength: 9, maxLength: 9 })).map((p) => p.join(""));

    it("accepts published codes and computes their check characters", () => {
      for (const code of REAL) {
        expect(checkCreditCode(code), code).to.deep.equal({ ok: true });
        expect(creditCodeCheckCharacter(code.slice(0, 17))).to.equal(code[17]);
      }
    });

    it("property: the check character catches every single substitution", () => {
      fc.assert(
        fc.property(body17, fc.nat({ max: 17 }), fc.nat({ max: 29 }), (body, at, shift) => {
          const code = body + creditCodeCheckCharacter(body);
          expect(checkCreditCode(code).ok).to.equal(true);
          const alphabet = at >= 2 && at <= 7 ? "0123456789" : USCC;
          const changed = code.slice(0, at) + alphabet[(alphabet.indexOf(code[at]) + 1 + (shift % (alphabet.length - 1))) % alphabet.length] + code.slice(at + 1);
          expect(checkCreditCode(changed)).to.deep.include({ ok: false, code: "CREDIT_CODE_CHECK_FAILED" });
        }),
      );
    });

    it("refuses what is not a code, whatever it is given", () => {
      for (const bad of ["", "91110108551385082", "91110108551385082QQ", "91110108551385082q", "9111O108551385082Q", "911101085513I5082Q", "9111A108551385082Q", null, 42, {}, ["91110108551385082Q"]]) {
        expect(checkCreditCode(bad), String(bad)).to.deep.include({ ok: false, code: "CREDIT_CODE_MALFORMED" });
      }
    });

    it("round-trips the registry's bytes18 form; all zero is no code", () => {
      for (const code of REAL) expect(creditCodeFromBytes18(creditCodeToBytes18(code))).to.equal(code);
      expect(creditCodeToBytes18("91110108551385082Q")).to.equal("0x" + Buffer.from("91110108551385082Q").toString("hex"));
      expect(creditCodeFromBytes18("0x" + "00".repeat(18))).to.equal("");
      expect(() => creditCodeToBytes18("short")).to.throw(TypeError);
    });

    it("property: demo codes derived from slugs are well formed, with right check characters, and differ per slug", () => {
      fc.assert(
        fc.property(fc.string({ minLength: 1, maxLength: 64 }), fc.string({ minLength: 1, maxLength: 64 }), (a, b) => {
          expect(checkCreditCode(derivedCreditCode(a)), a).to.deep.equal({ ok: true });
          if (a !== b) expect(derivedCreditCode(a)).to.not.equal(derivedCreditCode(b));
        }),
      );
    });
  });
});
