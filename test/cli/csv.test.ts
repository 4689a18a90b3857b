import { expect } from "chai";
import fc from "fast-check";
import { createRowMapper, coerceCell } from "../../scripts/cli/claims-from-csv";
import { CsvError, csvLine, parseCsv } from "../../scripts/cli/csv";
import { findTypeById } from "@certchain/sdk";
import { lang, setLang } from "../../scripts/cli/i18n";

const fieldsOf = (text: string) => parseCsv(text).map((r) => r.fields);

describe("cli: CSV reading", function () {
  it("reads RFC 4180: quoted fields with commas, doubled quotes and line breaks; CRLF or LF", function () {
    expect(fieldsOf('a,b,c\r\n1,"x, y","say ""hi"""\r\n2,"line\r\nbreak",\r\n')).to.deep.equal([
      ["a", "b", "c"],
      ["1", "x, y", 'say "hi"'],
      ["2", "line\r\nbreak", ""],
    ]);
    expect(fieldsOf("a,b\n1,2")).to.deep.equal([["a", "b"], ["1", "2"]]);
    expect(fieldsOf('""\n')).to.deep.equal([[""]]);
    expect(fieldsOf("a,\n")).to.deep.equal([["a", ""]]);
  });

  it("drops a byte-order mark and blank lines, and numbers rows as a spreadsheet does", function () {
    const records = parseCsv('\ufeffname,n\r\n"甲\n乙",1\r\n\r\n丙,2\r\n\r\n');
    expect(records.map((r) => [r.row, r.line, r.fields])).to.deep.equal([
      [1, 1, ["name", "n"]],
      [2, 2, ["甲\n乙", "1"]],
      [4, 5, ["丙", "2"]],
    ]);
  });

  it("refuses what would shift columns silently, naming the line", function () {
    for (const [text, message] of [
      ['a,b\n1,"open', /line 2: unterminated/],
      ['a,b\n1,x"y"', /line 2: a quote inside an unquoted field/],
      ['a,b\n1,"x"y', /line 2: text after a closing quote/],
    ] as const) {
      expect(() => parseCsv(text)).to.throw(CsvError, message);
    }
  });

  it("reads back whatever csvLine writes (round trip)", function () {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: "grapheme" }), { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 10 }), (rows) => {
        const width = rows[0].length;
        const table = rows.map((r) => [...r, ...Array(width).fill("x")].slice(0, width));
        const text = table.map(csvLine).join("\r\n");
        expect(fieldsOf(text)).to.deep.equal(table.filter((r) => !(r.length === 1 && r[0] === "")));
      }),
      { numRuns: 200 },
    );
  });
});

describe("cli: CSV cells to claims", function () {
  it("coerces cells to the schema's types, leaving what does not convert for the schema check", function () {
    expect(coerceCell("42", { type: "integer" })).to.equal(42);
    expect(coerceCell(" 42 ", { type: "integer" })).to.equal(42);
    expect(coerceCell("4.2", { type: "integer" })).to.equal("4.2");
    expect(coerceCell("4.2", { type: "number" })).to.equal(4.2);
    expect(coerceCell("是", { type: "boolean" })).to.equal(true);
    expect(coerceCell("false", { type: "boolean" })).to.equal(false);
    expect(coerceCell("0042", { type: "string" })).to.equal("0042");
    expect(coerceCell("a; b;c", { type: "array", items: { type: "string" } })).to.deep.equal(["a", "b", "c"]);
    expect(coerceCell("1;2", { type: "array", items: { type: "integer" } })).to.deep.equal([1, 2]);
    expect(coerceCell('["a;b","c"]', { type: "array" })).to.deep.equal(["a;b", "c"]);
    expect(coerceCell("长期", { type: "string", anyOf: [{ format: "date" }, { const: "长期" }] })).to.equal("长期");
    expect(coerceCell('{"a":1}', { type: "object" })).to.deep.equal({ a: 1 });
  });

  it("maps dotted headers into nested claims and validFrom/validUntil into the request", function () {
    const type = findTypeById("marriage-certificate")!;
    const mapper = createRowMapper(type, ["holder_name", "spouses.0.name", "spouses.1.name", "validUntil"]);
    expect(mapper.toRequest(["林晓雯", "周立恒", "林晓雯", "2030-01-01T00:00:00+08:00"])).to.deep.equal({
      claims: { holder_name: "林晓雯", spouses: [{ name: "周立恒" }, { name: "林晓雯" }] },
      validUntil: "2030-01-01T00:00:00+08:00",
    });
    // A blank first spouse leaves no hole in the list.
    expect(mapper.toRequest(["林晓雯", "", "林晓雯", ""]).claims).to.deep.equal({ holder_name: "林晓雯", spouses: [{ name: "林晓雯" }] });
  });

  it("refuses headers that are not claims of the type, all problems in one message (in the clerk's language)", function () {
    const type = findTypeById("marriage-certificate")!;
    const was = lang();
    try {
      setLang("en");
      expect(() => createRowMapper(type, ["holder_name", "hobby", "spouses.first.name", "holder_name", ""])).to.throw(
        /hobby is not a field.*spouses is a list.*holder_name appears twice.*column 5 has no header/,
      );
      expect(() => createRowMapper(type, ["spouses", "spouses.0.name"])).to.throw(/both set spouses/);
      expect(() => createRowMapper(type, ["__proto__"])).to.throw(/__proto__ is not a field/);
      setLang("zh-CN");
      expect(() => createRowMapper(type, ["持证人", "爱好"])).to.throw(/表头与结婚证不符.*没有 爱好 这一项/);
    } finally {
      setLang(was);
    }
  });

  it("takes the claims' labels as headers, in Chinese or English, as well as the claim names", function () {
    const licence = findTypeById("business-licence")!;
    const mapper = createRowMapper(licence, ["名称", "Unified social credit code", "legal_representative", "证照失效时间"]);
    expect(mapper.toRequest(["上海青禾数字科技有限公司", "91310115MA1H7Q2K3R", "陈嘉树", "2030-01-01T00:00:00+08:00"])).to.deep.equal({
      claims: { company_name: "上海青禾数字科技有限公司", unified_social_credit_code: "91310115MA1H7Q2K3R", legal_representative: "陈嘉树" },
      validUntil: "2030-01-01T00:00:00+08:00",
    });
    expect(mapper.headerOf("company_name")).to.equal("名称");
    const marriage = createRowMapper(findTypeById("marriage-certificate")!, ["持证人", "双方当事人.0.name"]);
    expect(marriage.toRequest(["林晓雯", "周立恒"]).claims).to.deep.equal({ holder_name: "林晓雯", spouses: [{ name: "周立恒" }] });
    // A label and its claim name for the same column is a duplicate.
    expect(() => createRowMapper(licence, ["名称", "company_name"])).to.throw();
  });
});
