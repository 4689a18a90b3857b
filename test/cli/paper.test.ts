import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import jpeg from "jpeg-js";
import { PDFDocument } from "pdf-lib";
import { PNG } from "pngjs";
import QRCode from "qrcode";
import { encodePaperPayload, findTypeById, presentCredential, type Envelope } from "@certchain/sdk";
import { findQrCode, presentationFromPdf, qrTextFromImage } from "../../scripts/lib/paper/read-paper";
import { replaceDisclosure } from "../support/tamper";
import { requireTools } from "../support/tools";
import { registryFlags, removeTestFolder, runCli, sharedCliEnvironment, testFolder, type CliEnvironment } from "./support";

const run = promisify(execFile);
const PDFTOPPM = "/usr/bin/pdftoppm";
const ARTIFACTS = path.join(__dirname, "..", "..", "test-artifacts");

interface Verified {
  input: string;
  verdict: string;
  reason: { code: string } | null;
  claims: Record<string, unknown>;
  issuer: { name: string } | null;
}

async function issueAnchored(env: CliEnvironment, token: string, type: string, claims: Record<string, unknown>): Promise<{ id: string; envelope: Envelope }> {
  const response = await fetch(`${env.apiUrl}/v1/certificates`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", prefer: "wait=30" },
    body: JSON.stringify({ type, claims }),
  });
  const body = (await response.json()) as { id: string; envelope: Envelope };
  expect(response.status, JSON.stringify(body)).to.equal(201);
  expect(body.envelope.anchor.status).to.equal("anchored");
  return body;
}

/** Page 1 of a PDF as a PNG at `dpi`, as a scanner or a screenshot would give it (poppler's pdftoppm). */
async function rasterise(pdf: string, dpi = 200): Promise<string> {
  const prefix = pdf.replace(/\.pdf$/, `-${dpi}dpi`);
  await run(PDFTOPPM, ["-r", String(dpi), "-f", "1", "-l", "1", "-singlefile", "-png", pdf, prefix]);
  return `${prefix}.png`;
}

/**
 * A phone photo of a page, roughly: turned by `degrees`, on a grey desk, with sensor noise,
 * saved as a JPEG of quality 75.
 */
function photoOf(png: PNG, degrees: number): Buffer {
  const angle = (degrees * Math.PI) / 180;
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const { width, height } = png;
  const out = Buffer.alloc(width * height * 4);
  let seed = 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Nearest pixel of the page under this point of the photo, turned about the centre.
      const dx = x - width / 2;
      const dy = y - height / 2;
      const sx = Math.round(cos * dx + sin * dy + width / 2);
      const sy = Math.round(-sin * dx + cos * dy + height / 2);
      const inside = sx >= 0 && sy >= 0 && sx < width && sy < height;
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const noise = (seed % 21) - 10;
      for (let c = 0; c < 3; c++) out[(y * width + x) * 4 + c] = Math.max(0, Math.min(255, (inside ? png.data[(sy * width + sx) * 4 + c] : 110) + noise));
      out[(y * width + x) * 4 + 3] = 255;
    }
  }
  return jpeg.encode({ data: out, width, height }, 75).data;
}

/** Where the QR code sits in a page image, with its quiet zone. */
function qrBox(png: PNG): { x: number; y: number; size: number } {
  const code = findQrCode({ data: new Uint8ClampedArray(png.data), width: png.width, height: png.height });
  if (!code) throw new Error("no QR code on the page");
  const { topLeft: tl, bottomRight: br } = code;
  const margin = Math.round((br.x - tl.x) * 0.08);
  return { x: Math.floor(tl.x) - margin, y: Math.floor(tl.y) - margin, size: Math.ceil(br.x - tl.x) + 2 * margin };
}

describe("cli: certchain print, and verifying paper", function () {
  this.timeout(600_000);
  let env: CliEnvironment;
  let dir: string;
  let licence: { id: string; envelope: Envelope };
  let other: { id: string; envelope: Envelope };
  let marriage: { id: string; envelope: Envelope };
  const files: Record<string, string> = {};
  const verifyJson = async (...inputs: string[]): Promise<Verified[]> => {
    const result = await runCli(["verify", ...inputs, ...registryFlags(env), "--json"]);
    return JSON.parse(result.stdout) as Verified[];
  };

  before(async function () {
    requireTools(this, "pdftoppm");
    env = await sharedCliEnvironment(this);
    dir = testFolder("paper");
    mkdirSync(ARTIFACTS, { recursive: true });
    const example = findTypeById("business-licence")!.schema.examples[0] as Record<string, unknown>;
    licence = await issueAnchored(env, env.tokens["sh-amr"], "business-licence", example);
    other = await issueAnchored(env, env.tokens["sh-amr"], "business-licence", { ...example, company_name: "上海另一家贸易有限公司", legal_representative: "王五", unified_social_credit_code: "91310000MA1FL0XX8B" });
    marriage = await issueAnchored(env, env.tokens["sh-mca"], "marriage-certificate", findTypeById("marriage-certificate")!.schema.examples[0] as Record<string, unknown>);
    for (const [name, value] of Object.entries({ licence, other, marriage })) {
      files[name] = path.join(dir, `${name}.json`);
      writeFileSync(files[name], JSON.stringify(value.envelope, null, 2));
    }
  });
  after(() => removeTestFolder(dir));

  const print = (file: string, out: string, ...extra: string[]) => runCli(["print", file, "--out", out, "--api", env.apiUrl, ...registryFlags(env), "--json", ...extra]);

  it("prints a business licence revealing some fields: the PDF and a PNG of its page verify valid, showing only those fields", async function () {
    const pdf = path.join(dir, "licence.pdf");
    const printed = await print(files.licence, pdf, "--reveal", "company_name,unified_social_credit_code,legal_representative,domicile");
    expect(printed.code, printed.stderr).to.equal(0);
    const summary = JSON.parse(printed.stdout);
    expect(summary.qr).to.include({ kind: "payload", moduleMm: 0.5 });
    expect(summary.qr.version).to.be.at.most(30);
    console.log(`      business licence: QR version ${summary.qr.version}, ${summary.qr.characters} characters (${summary.payload.bytes} bytes deflated), PDF ${summary.bytes} bytes`);
    expect(summary.bytes).to.be.below(200_000);

    const png = await rasterise(pdf);
    copyFileSync(png, path.join(ARTIFACTS, "paper-business-licence.png"));
    const [fromPdf, fromPng] = await verifyJson(pdf, png);
    for (const result of [fromPdf, fromPng]) {
      expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
      expect(result.claims).to.deep.equal({
        company_name: "上海青禾数字科技有限公司",
        unified_social_credit_code: "91310115MA1H7Q2K3R",
        legal_representative: "陈嘉树",
        domicile: "上海市浦东新区青禾路88号3幢501室",
      });
      expect(result.issuer?.name).to.equal("上海市市场监督管理局");
    }
    // The attachment is the presentation itself; the QR code holds the same credential.
    const attached = JSON.parse((await presentationFromPdf(readFileSync(pdf)))!) as Envelope;
    expect(attached.credential).to.equal(presentCredential(licence.envelope, ["company_name", "unified_social_credit_code", "legal_representative", "domicile"]).credential);
    expect(qrTextFromImage(readFileSync(png))).to.equal(encodePaperPayload(attached));
    files.licencePng = png;

    // A photo rather than a scan: turned 4°, noisy, JPEG.
    const photo = path.join(dir, "licence-photo.jpg");
    writeFileSync(photo, photoOf(PNG.sync.read(readFileSync(png)), 4));
    copyFileSync(photo, path.join(ARTIFACTS, "paper-business-licence-photo.jpg"));
    const [fromPhoto] = await verifyJson(photo);
    expect(fromPhoto.verdict).to.equal("valid");
    expect(fromPhoto.claims.company_name).to.equal("上海青禾数字科技有限公司");
  });

  it("prints a marriage certificate revealing some fields: a PNG of the page verifies valid", async function () {
    const pdf = path.join(dir, "marriage.pdf");
    const printed = await print(files.marriage, pdf, "--reveal", "holder_name,registration_date,spouses,registration_authority", "--lang", "zh-CN");
    expect(printed.code, printed.stderr).to.equal(0);
    const summary = JSON.parse(printed.stdout);
    console.log(`      marriage certificate: QR version ${summary.qr.version}, ${summary.qr.characters} characters (${summary.payload.bytes} bytes deflated), PDF ${summary.bytes} bytes`);
    const png = await rasterise(pdf);
    copyFileSync(png, path.join(ARTIFACTS, "paper-marriage-certificate.png"));
    const [result] = await verifyJson(png);
    expect(result.verdict).to.equal("valid");
    expect(Object.keys(result.claims).sort()).to.deep.equal(["holder_name", "registration_authority", "registration_date", "spouses"]);
    expect(result.claims).to.not.have.property("notes");
    // One field of one spouse, by name or label: test/cli/print-reveal.test.ts.
  });

  it("a QR code from another certificate pasted onto the page verifies as that other certificate, not as the printed text", async function () {
    const otherPdf = path.join(dir, "other.pdf");
    expect((await print(files.other, otherPdf, "--reveal", "company_name,legal_representative")).code).to.equal(0);
    const page = PNG.sync.read(readFileSync(files.licencePng));
    const donor = PNG.sync.read(readFileSync(await rasterise(otherPdf)));
    const target = qrBox(page);
    const source = qrBox(donor);
    const size = Math.max(target.size, source.size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const to = ((target.y + y) * page.width + target.x + x) * 4;
        const inside = x < source.size && y < source.size;
        const from = ((source.y + y) * donor.width + source.x + x) * 4;
        for (let c = 0; c < 4; c++) page.data[to + c] = inside ? donor.data[from + c] : 255;
      }
    }
    const pasted = path.join(dir, "pasted.png");
    writeFileSync(pasted, PNG.sync.write(page));
    copyFileSync(pasted, path.join(ARTIFACTS, "paper-pasted-qr.png"));
    const [result] = await verifyJson(pasted);
    // Valid, but for what the QR code holds: the other company, with only its two fields.
    expect(result.verdict).to.equal("valid");
    expect(result.claims).to.deep.equal({ company_name: "上海另一家贸易有限公司", legal_representative: "王五" });
  });

  it("the same paper verifies revoked once the certificate is revoked", async function () {
    const revoked = await runCli(["revoke", licence.id, "--reason", "1", "--api", env.apiUrl, "--token", env.tokens["sh-amr"]]);
    expect(revoked.code, revoked.stderr).to.equal(0);
    const [fromPng, fromPdf] = await verifyJson(files.licencePng, path.join(dir, "licence.pdf"));
    for (const result of [fromPng, fromPdf]) {
      expect(result.verdict).to.equal("revoked");
      expect(result.reason?.code).to.equal("STATUS_REVOKED");
    }
    // And a revoked certificate is not printed again.
    const again = await print(files.licence, path.join(dir, "again.pdf"), "--reveal", "company_name");
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include("STATUS_REVOKED");
  });

  it("a QR code with a tampered payload is not valid, with the code of the check that caught it", async function () {
    const edited = replaceDisclosure(presentCredential(other.envelope, ["company_name"]), 0, ([salt, name]) => [salt, name, "上海青禾数字科技有限公司"]);
    const image = path.join(dir, "tampered.png");
    writeFileSync(image, await QRCode.toBuffer(encodePaperPayload(edited), { errorCorrectionLevel: "M", scale: 4 }));
    const [result] = await verifyJson(image);
    expect(result.verdict).to.equal("invalid");
    expect(result.reason?.code).to.equal("INTEGRITY_UNREFERENCED_DISCLOSURE");
  });

  it("a presentation too large for the printed QR code falls back to a share link, and the printout says so", async function () {
    const example = findTypeById("business-licence")!.schema.examples[0] as Record<string, unknown>;
    // 500 characters that do not repeat (deflate would shrink a repeated phrase to nothing).
    let seed = 7;
    const scope = Array.from({ length: 500 }, () => String.fromCodePoint(0x4e00 + ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 3000))).join("");
    const big = await issueAnchored(env, env.tokens["sh-amr"], "business-licence", { ...example, business_scope: scope });
    const file = path.join(dir, "big.json");
    writeFileSync(file, JSON.stringify(big.envelope));
    const refused = await print(file, path.join(dir, "big-refused.pdf"), "--no-link");
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/version \d+/);

    const pdf = path.join(dir, "big.pdf");
    const printed = await print(file, pdf);
    expect(printed.code, printed.stderr).to.equal(0);
    const summary = JSON.parse(printed.stdout);
    expect(summary.qr.kind).to.equal("share-link");
    expect(summary.payload.version).to.be.above(30);
    expect(summary.qr.expiresAt).to.be.a("string");
    const png = await rasterise(pdf);
    copyFileSync(png, path.join(ARTIFACTS, "paper-share-link-fallback.png"));
    expect(qrTextFromImage(readFileSync(png))).to.match(new RegExp(`^${env.apiUrl}/s/[A-Za-z0-9_-]+#`));
    // A share link is opened only from a service the clerk allows (here the one that made it).
    const [refusedLink] = await verifyJson(png);
    expect(refusedLink.reason?.code).to.equal("SHARE_HOST_NOT_ALLOWED");
    const [result] = await verifyJson(png, "--share-service", env.apiUrl);
    expect(result.verdict).to.equal("valid");
    expect(result.claims.business_scope).to.equal(scope);
    // The service holds ciphertext only: the printed values are nowhere in its store.
    expect(JSON.stringify(await env.service.db.sublevel("shares").values().all())).to.not.include(scope.slice(0, 8));
  });

  it("images without a QR code, and images too large to decode, are reported, never a crash", async function () {
    const blank = new PNG({ width: 400, height: 400 });
    blank.data.fill(255);
    const blankFile = path.join(dir, "blank.png");
    writeFileSync(blankFile, PNG.sync.write(blank));
    // A PNG header announcing 100,000 × 100,000 pixels (40 GB decoded): refused before decoding.
    const huge = PNG.sync.write(new PNG({ width: 1, height: 1 }));
    huge.writeUInt32BE(100_000, 16);
    huge.writeUInt32BE(100_000, 20);
    const hugeFile = path.join(dir, "huge.png");
    writeFileSync(hugeFile, huge);
    // An attachment that inflates to 8 MB: not read past the 1 MiB cap.
    const bomb = await PDFDocument.create();
    bomb.addPage();
    await bomb.attach(new Uint8Array(8 * 1024 * 1024), "certchain-presentation.json", { mimeType: "application/json" });
    const bombBytes = await bomb.save();
    expect(bombBytes.length).to.be.below(100_000);
    expect(await presentationFromPdf(bombBytes)).to.equal(undefined);
    const fakePdf = path.join(dir, "fake.pdf");
    writeFileSync(fakePdf, "%PDF-1.7\n garbage");
    const result = await runCli(["verify", blankFile, hugeFile, fakePdf, ...registryFlags(env), "--json"]);
    expect(result.code).to.equal(1);
    const outcomes = JSON.parse(result.stdout) as { verdict: string; reason: { code: string } }[];
    expect(outcomes.map((o) => [o.verdict, o.reason.code])).to.deep.equal([
      ["skipped", "PAPER_NO_QR_CODE"],
      ["skipped", "PAPER_NO_QR_CODE"],
      ["skipped", "PAPER_NO_PRESENTATION"],
    ]);
  });
});
