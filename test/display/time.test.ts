import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { formatDate, formatTime } from "../../display/time";
import { howToVerify, printoutOf, type PaperQr } from "../../display/printout";
import type { VerificationResult } from "@certchain/sdk";

const ROOT = path.join(__dirname, "..", "..");

/** Every .ts file under `dir`. */
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sources(file) : name.endsWith(".ts") ? [file] : [];
  });

describe("display: one way to write a time, and the printout's way to verify", () => {
  it("writes an instant in China's time with its offset, whatever the machine's zone", () => {
    expect(formatTime("2026-12-03T06:52:26Z")).to.equal("2026-12-03 14:52:26 (UTC+8)");
    expect(formatTime("2026-12-03T06:52:26.000Z")).to.equal("2026-12-03 14:52:26 (UTC+8)");
    // The day after in Shanghai while still the day before in UTC.
    expect(formatTime("2026-12-31T16:30:00Z")).to.equal("2027-01-01 00:30:00 (UTC+8)");
    expect(formatDate("2026-12-31T16:30:00Z")).to.equal("2027-01-01");
    // Another zone names its own offset.
    expect(formatTime("2026-12-03T06:52:26Z", "UTC")).to.equal("2026-12-03 06:52:26 (UTC)");
    expect(formatTime("2026-07-03T06:52:26Z", "Asia/Kolkata")).to.equal("2026-07-03 12:22:26 (UTC+5:30)");
    expect(formatTime(null)).to.equal("—");
    expect(formatTime("not a time")).to.equal("not a time");
  });

  it("is the only time formatting of the pages, the CLI and the printout (no other Intl.DateTimeFormat or toLocaleDateString)", () => {
    const files = [...sources(path.join(ROOT, "display")), ...sources(path.join(ROOT, "server", "web", "src")), ...sources(path.join(ROOT, "scripts", "cli")), ...sources(path.join(ROOT, "scripts", "lib", "paper"))];
    const elsewhere = files
      .filter((file) => !file.endsWith(path.join("display", "time.ts")))
      .filter((file) => /Intl\.DateTimeFormat|toLocale(Date|Time)String|\.replace\("\.000Z"/.test(readFileSync(file, "utf8")))
      .map((file) => path.relative(ROOT, file));
    expect(elsewhere).to.deep.equal([]);
  });

  const result = {
    verdict: "valid",
    claims: { company_name: "上海青禾数字科技有限公司" },
    withheld: [],
    issuer: { id: "0x01", slug: "sh-amr", name: "上海市市场监督管理局" },
    anchoredAt: "2026-12-03T06:52:26.000Z",
    certificate: { number: "1.2.156.3005.2.YYZZ.X.1.1.A", vct: "urn:certchain:vct:business-licence:1", issuedAt: "2026-12-03T06:52:20.000Z", validFrom: null, validUntil: "2031-12-02T16:00:00.000Z", type: null },
  } as unknown as VerificationResult;
  const qr: PaperQr = { text: "CC1:…", kind: "payload", version: 20 };

  it("the printout's times are the same words as everywhere else", () => {
    const { facts } = printoutOf(result, qr);
    expect(facts.map((f) => f.value)).to.include("2026-12-03 14:52:26 (UTC+8)").and.include("2026-12-03 — 2031-12-03");
  });

  it("the printout names the service's verify page when the printer knows it, else any certchain verifier", () => {
    const named = printoutOf(result, qr, "https://certs.example.gov.cn/verify").attests;
    expect(named.map((t) => t["zh-CN"]).join()).to.include("打开 https://certs.example.gov.cn/verify 扫码");
    expect(named.map((t) => t.en).join()).to.include("open https://certs.example.gov.cn/verify on a phone");
    const anyVerifier = howToVerify();
    expect(anyVerifier["zh-CN"]).to.include("任一 certchain 服务").and.include("任何 certchain 核验工具都可以");
    expect(anyVerifier.en).to.include("of any certchain service").and.include("any certchain verifier will do");
    // Never a bare path a reader cannot open.
    expect(printoutOf(result, qr).attests.map((t) => t.en).join()).to.not.match(/page \(\/verify\), or/);
  });
});
