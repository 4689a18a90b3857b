// The printed certificate: one A4 PDF (more pages only for very long values) with the revealed
// claims under the type's labels (zh-CN, English beneath), the issuing agency and anchor time as
// the chain states them, the QR code, what it attests, and the presentation file attached.
import { readFileSync } from "node:fs";
import fontkit from "@pdf-lib/fontkit";
import { AFRelationship, PDFDocument, rgb, type PDFFont, type PDFPage } from "pdf-lib";
import QRCode from "qrcode";
import subsetFont from "subset-font";
import type { Envelope, VerificationResult } from "@certchain/sdk";
import { printoutOf, qrPrintMillimetres, PAPER_TEXTS as P, QR_QUIET_MODULES, type PaperQr, type PrintoutRow as Row } from "../../../display/printout";
import { formatTime } from "../../../display/time";

export type { PaperQr };

/** The file name of the presentation inside the PDF; `certchain verify <pdf>` reads it. */
export const ATTACHMENT_NAME = "certchain-presentation.json";

export interface CertificatePdfInput {
  presentation: Envelope;
  /** Its verification against the chain: claims, type, issuing agency, anchor time. */
  result: VerificationResult;
  qr: PaperQr;
  printedAt?: Date;
  /** The verify page the printout names (the service's public URL + /verify); without it, any certchain verifier. */
  verifyUrl?: string;
}

const MM = 72 / 25.4;
const A4 = { width: 210 * MM, height: 297 * MM };
const MARGIN = 18 * MM;
const LABEL_WIDTH = 52 * MM;
const VALUE_X = MARGIN + LABEL_WIDTH + 4 * MM;
const VALUE_WIDTH = A4.width - MARGIN - VALUE_X;
const INK = rgb(0.05, 0.05, 0.05);
const GREY = rgb(0.33, 0.33, 0.33);

// Noto Sans SC (SIL Open Font License 1.1: embedding and redistribution allowed), from the npm
// package @expo-google-fonts/noto-sans-sc; only the glyphs a printout uses are embedded.
const FONT_FILE = require.resolve("@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf");

const NO_LINE_START = /[，。；：、！？）」』”’》,.;:!?)]/;

/** Lines of `text` no wider than `width` at `size` (CJK breaks anywhere, Latin at spaces where it can). */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const char of paragraph) {
      const next = line + char;
      // Closing punctuation never starts a line (it may stand a little into the margin instead).
      if (line !== "" && !NO_LINE_START.test(char) && font.widthOfTextAtSize(next, size) > width) {
        const space = line.lastIndexOf(" ");
        if (/[\x21-\x7e]/.test(char) && space > 0 && space > line.length - 20) {
          lines.push(line.slice(0, space));
          line = line.slice(space + 1) + char;
        } else {
          lines.push(line);
          line = char;
        }
      } else line = next;
    }
    lines.push(line);
  }
  return lines;
}

/** Module size and edge of the printed QR code, in points. */
function qrGeometry(modules: number): { module: number; edge: number } {
  const { module, edge } = qrPrintMillimetres(modules);
  return { module: module * MM, edge: edge * MM };
}

/** Draws the code with its quiet zone; (x, y) is the bottom-left corner of the quiet zone. */
function drawQr(page: PDFPage, qr: QRCode.QRCode, x: number, y: number): void {
  const size = qr.modules.size;
  const { module, edge } = qrGeometry(size);
  const origin = { x: x + QR_QUIET_MODULES * module, top: y + edge - QR_QUIET_MODULES * module };
  for (let row = 0; row < size; row++) {
    // Runs of dark modules as one rectangle each: fewer drawing operations, no hairline gaps.
    for (let col = 0; col < size; ) {
      if (!qr.modules.get(row, col)) {
        col++;
        continue;
      }
      let end = col;
      while (end < size && qr.modules.get(row, end)) end++;
      page.drawRectangle({ x: origin.x + col * module, y: origin.top - (row + 1) * module, width: (end - col) * module, height: module, color: rgb(0, 0, 0) });
      col = end;
    }
  }
}

/** The printed QR code's edge (with its quiet zone) and module size, in millimetres. */
export function printedQrMillimetres(text: string): { edge: number; module: number } {
  const { module, edge } = qrGeometry(QRCode.create(text, { errorCorrectionLevel: "M" }).modules.size);
  return { edge: edge / MM, module: module / MM };
}

/**
 * Renders the certificate printout. Deterministic for the same input and `printedAt` (except the
 * PDF's own creation date).
 */
export async function renderCertificatePdf(input: CertificatePdfInput): Promise<Uint8Array> {
  const { result, qr, presentation } = input;
  const certificate = result.certificate;
  if (!certificate) throw new TypeError("renderCertificatePdf: the result has no certificate");
  const printedAt = input.printedAt ?? new Date();
  const { typeNames, rows, withheld, facts, attests } = printoutOf(result, qr, input.verifyUrl);
  const { edge: qrEdgeMm, module: moduleMm } = printedQrMillimetres(qr.text);
  const qrFacts = `QR: ${qr.kind === "payload" ? "CC1" : "URL"} · version ${qr.version} · EC M · ${qr.text.length} chars · ${moduleMm.toFixed(2)} mm/module`;

  // Every string drawn, so the font subset holds every glyph (wrapping only splits strings).
  const strings = [
    P.header["zh-CN"], P.header.en, typeNames["zh-CN"], typeNames.en, P.number["zh-CN"], P.number.en, certificate.number,
    P.revealed["zh-CN"], P.revealed.en, P.withheld["zh-CN"], P.withheld.en, P.noneRevealed["zh-CN"], P.noneRevealed.en,
    ...rows.flatMap((r) => [r.label["zh-CN"], r.label.en, r.value]),
    withheld.map((l) => l["zh-CN"]).join("、"), withheld.map((l) => l.en).join(", "),
    ...facts.flatMap((r) => [r.label["zh-CN"], r.label.en, r.value]),
    ...attests.flatMap((t) => [t["zh-CN"], t.en]),
    qrFacts, P.printedAt["zh-CN"], P.printedAt.en, P.attachment["zh-CN"], P.attachment.en, formatTime(printedAt.toISOString()), ATTACHMENT_NAME, "0123456789 —…·/:()",
  ];
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const subset = await subsetFont(readFileSync(FONT_FILE), [...new Set(strings.join(""))].join(""), { targetFormat: "truetype" });
  // Already a subset: embedded whole (pdf-lib's own subsetting drops CJK glyphs of this font).
  const font = await doc.embedFont(subset, { subset: false, features: { liga: false, locl: false, calt: false } });
  doc.setTitle(`${typeNames["zh-CN"]} ${certificate.number}`);
  doc.setSubject(`${P.header["zh-CN"]} / ${P.header.en}`);
  doc.setCreator("certchain print");
  doc.setProducer("certchain (pdf-lib)");
  doc.setLanguage("zh-CN");

  /**
   * Lays the printout out; with `dry` it only measures, drawing nothing. The QR code goes at the
   * end when everything fits one page, else right under the certificate number: the first page
   * always carries it, so a scan or photo of that page verifies.
   */
  const compose = (dry: boolean, qrFirst: boolean): number => {
    let pages = 1;
    let page: PDFPage | undefined = dry ? undefined : doc.addPage([A4.width, A4.height]);
    let y = A4.height - MARGIN;
    const newPage = () => {
      pages++;
      if (!dry) page = doc.addPage([A4.width, A4.height]);
      y = A4.height - MARGIN;
    };
    const ensure = (height: number) => {
      if (y - height < MARGIN) newPage();
    };
    const text = (value: string, x: number, size: number, color = INK) => page?.drawText(value, { x, y: y - size, size, font, color });
    const lines = (value: string, x: number, size: number, width: number, gap: number, color = INK) => {
      for (const line of wrap(value, font, size, width)) {
        text(line, x, size, color);
        y -= size + gap;
      }
    };

    text(`${P.header["zh-CN"]}  ${P.header.en}`, MARGIN, 9, GREY);
    y -= 9 + 6 * MM;
    text(typeNames["zh-CN"], MARGIN, 24);
    y -= 24 + 2 * MM;
    text(typeNames.en, MARGIN, 13, GREY);
    y -= 13 + 5 * MM;

    /** A label pair on the left, the wrapped value on the right. */
    const row = (r: Row, valueSize = 11.5) => {
      const valueLines = r.value === "" ? [] : wrap(r.value, font, valueSize, VALUE_WIDTH);
      const labelHeight = 11 + 2 + 8.5;
      const height = Math.max(labelHeight, valueLines.length * (valueSize + 4) - 4) + 2.2 * MM;
      ensure(height);
      const top = y;
      text(r.label["zh-CN"], MARGIN, 11);
      y -= 11 + 2;
      text(r.label.en, MARGIN, 8.5, GREY);
      y = top;
      for (const line of valueLines) {
        text(line, VALUE_X, valueSize);
        y -= valueSize + 4;
      }
      y = top - height;
    };
    const rule = () => {
      ensure(4 * MM);
      page?.drawLine({ start: { x: MARGIN, y: y - 1.5 * MM }, end: { x: A4.width - MARGIN, y: y - 1.5 * MM }, thickness: 0.6, color: GREY });
      y -= 4 * MM;
    };
    /** The QR code with what it attests beside it, kept whole on one page. */
    const qrBlock = () => {
      const code = QRCode.create(qr.text, { errorCorrectionLevel: "M" });
      const qrEdge = qrEdgeMm * MM;
      const quiet = QR_QUIET_MODULES * moduleMm * MM;
      ensure(qrEdge);
      const qrTop = y + quiet;
      // The quiet zone reaches into the margin, so the dark modules line up with the text.
      if (page) drawQr(page, code, MARGIN - quiet, qrTop - qrEdge);
      const noteX = MARGIN + qrEdge - quiet + 2 * MM;
      const noteWidth = A4.width - MARGIN - noteX;
      for (const t of attests) {
        lines(t["zh-CN"], noteX, 10.5, noteWidth, 3.5);
        lines(t.en, noteX, 8.5, noteWidth, 3, GREY);
        y -= 2 * MM;
      }
      lines(qrFacts, noteX, 7.5, noteWidth, 3, GREY);
      y = Math.min(y, qrTop - qrEdge + quiet) - 2 * MM;
    };

    row({ label: P.number, value: certificate.number });
    rule();
    if (qrFirst) {
      qrBlock();
      rule();
    }
    text(`${P.revealed["zh-CN"]}  ${P.revealed.en}`, MARGIN, 10, GREY);
    y -= 10 + 3 * MM;
    if (rows.length === 0) row({ label: P.noneRevealed, value: "" });
    for (const r of rows) row(r);
    if (withheld.length > 0) row({ label: P.withheld, value: `${withheld.map((l) => l["zh-CN"]).join("、")}\n${withheld.map((l) => l.en).join(", ")}` }, 9.5);
    rule();
    for (const r of facts) row(r);
    rule();
    if (!qrFirst) qrBlock();
    y -= 2 * MM;
    ensure(20);
    lines(`${P.printedAt["zh-CN"]} ${P.printedAt.en} ${formatTime(printedAt.toISOString())}  ·  ${P.attachment["zh-CN"]} (${ATTACHMENT_NAME})`, MARGIN, 8, A4.width - 2 * MARGIN, 3, GREY);
    lines(P.attachment.en, MARGIN, 7.5, A4.width - 2 * MARGIN, 3, GREY);
    return pages;
  };
  compose(false, compose(true, false) > 1);

  await doc.attach(new TextEncoder().encode(`${JSON.stringify(presentation, null, 2)}\n`), ATTACHMENT_NAME, {
    mimeType: "application/json",
    description: "certchain presentation: verify with `certchain verify <this PDF>`",
    creationDate: printedAt,
    modificationDate: printedAt,
    afRelationship: AFRelationship.Data,
  });
  return doc.save();
}
