import { expect } from "chai";
import { findTypeById } from "@certchain/sdk";
import { revealPaths } from "../../scripts/cli/reveal-paths";
import { UsageError } from "../../scripts/cli/output";
import { withIo } from "../../scripts/cli/run-context";
import { setLang } from "../../scripts/cli/i18n";
import type { ResultType } from "../../display/claim-labels";

// `--reveal` as claim paths (the rules; test/cli/print-reveal.test.ts prints with them).

const marriage = findTypeById("marriage-certificate")!;
// The type as a verification result carries it: names, labels by claim path, display order.
const TYPE: ResultType = {
  names: marriage.names,
  claimOrder: ["holder_name", "registration_date", "spouses", "registration_authority"],
  labels: [
    { path: ["holder_name"], label: { "zh-CN": "持证人", en: "Holder" } },
    { path: ["spouses"], label: { "zh-CN": "双方当事人", en: "Spouses" } },
    { path: ["spouses", null, "name"], label: { "zh-CN": "姓名", en: "Name" } },
    { path: ["registration_date"], label: { "zh-CN": "登记日期", en: "Registration date" } },
  ],
} as unknown as ResultType;
const CLAIMS = { holder_name: "周立恒", registration_date: "2024-05-20", spouses: [{ name: "周立恒", gender: "男" }, { name: "林晓雯", gender: "女" }] };
const NESTED = [["holder_name"], ["registration_date"], ["spouses"], ["spouses", 0], ["spouses", 0, "name"], ["spouses", 1], ["spouses", 1, "name"]];

const inLang = <T>(lang: "zh-CN" | "en", body: () => T): Promise<T> =>
  withIo({ stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: "/" }, async () => {
    setLang(lang);
    return body();
  });

const failure = async (lang: "zh-CN" | "en", raw: string, disclosable = NESTED): Promise<string> =>
  inLang(lang, () => {
    try {
      revealPaths(raw, CLAIMS, TYPE, disclosable);
    } catch (error) {
      expect(error).to.be.instanceOf(UsageError);
      return (error as Error).message;
    }
    throw new Error(`${raw} was accepted`);
  });

describe("cli: --reveal as claim paths", () => {
  it("every disclosed claim in the type's order when nothing is named", async () => {
    expect(await inLang("en", () => revealPaths(undefined, CLAIMS, TYPE, NESTED))).to.deep.equal([["holder_name"], ["registration_date"], ["spouses"]]);
  });

  it("names, Chinese and English labels (any case), nested parts by index and label, each once", async () => {
    const paths = await inLang("zh-CN", () => revealPaths("持证人、REGISTRATION DATE，spouses.1.姓名,双方当事人.1.name, holder_name", CLAIMS, TYPE, NESTED));
    expect(paths).to.deep.equal([["holder_name"], ["registration_date"], ["spouses", 1, "name"]]);
  });

  it("a nested part that is no disclosure of its own (a format v1 credential) is refused: its parent would show more", async () => {
    const v1 = [["holder_name"], ["registration_date"], ["spouses"]];
    expect(await failure("zh-CN", "双方当事人.0.姓名", v1)).to.equal("双方当事人.0.姓名：这张证照的“双方当事人”只能整体展示；请展示 双方当事人");
    expect(await failure("en", "spouses.0.name", v1)).to.equal("spouses.0.name: this certificate discloses Spouses only as a whole; reveal Spouses");
  });

  it("what is not there is named in one language, with what is", async () => {
    expect(await failure("zh-CN", "名称,持证人,spouses.5.name")).to.equal("这张证照里没有：名称、spouses.5.name（这张证照有：持证人（holder_name）、登记日期（registration_date）、双方当事人（spouses））");
    expect(await failure("en", "company_name,__proto__,constructor")).to.equal("not in this certificate: company_name, __proto__, constructor (it has: Holder (holder_name), Registration date (registration_date), Spouses (spouses))");
  });
});
