// Reading a printed certificate back: the presentation attached to a PDF, or the QR code's text
// from a photo or scan (PNG or JPEG). Every reader is bounded: files and images are checked
// against limits before anything is decoded, and inflating stops at a cap.
import { Unzlib } from "fflate";
import jpeg from "jpeg-js";
import jsQR from "jsqr";
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFStream, PDFString } from "pdf-lib";
import { PNG } from "pngjs";
import { ATTACHMENT_NAME } from "./certificate-pdf";

/** Larger PDFs or images are not read (a printout is ~100 KB, a phone photo a few MB). */
export const MAX_PAPER_FILE_BYTES = 32 * 1024 * 1024;
/** Larger images are refused before decoding: 40 megapixels hold any phone photo or 600 dpi A4 scan. */
export const MAX_IMAGE_PIXELS = 40_000_000;
/** An attached presentation inflating beyond this is not one (the SDK reads at most 512 KiB). */
const MAX_ATTACHMENT_BYTES = 1024 * 1024;

export type PaperFileKind = "pdf" | "png" | "jpeg";

/** What a file is, by its first bytes. */
export function paperFileKind(bytes: Uint8Array): PaperFileKind | undefined {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return "pdf"; // %PDF-
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "png";
  if (starts(0xff, 0xd8, 0xff)) return "jpeg";
  return undefined;
}

function inflateCapped(data: Uint8Array): Uint8Array | undefined {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = false;
  const stream = new Unzlib((chunk) => {
    total += chunk.length;
    if (total > MAX_ATTACHMENT_BYTES) over = true;
    else chunks.push(chunk);
  });
  try {
    for (let i = 0; i < data.length && !over; i += 16 * 1024) stream.push(data.subarray(i, i + 16 * 1024), i + 16 * 1024 >= data.length);
  } catch {
    return undefined;
  }
  return over ? undefined : Buffer.concat(chunks);
}

function streamBytes(stream: PDFRawStream): Uint8Array | undefined {
  const filter = stream.dict.lookup(PDFName.of("Filter"));
  const raw = stream.getContents();
  if (raw.length > MAX_ATTACHMENT_BYTES) return undefined;
  if (filter === undefined) return raw;
  if (filter === PDFName.of("FlateDecode") || (filter instanceof PDFArray && filter.size() === 1 && filter.lookup(0) === PDFName.of("FlateDecode"))) return inflateCapped(raw);
  return undefined;
}

/**
 * The attached files of a PDF (its EmbeddedFiles name tree, flat or with kids), name → bytes;
 * files in filters other than FlateDecode or larger than 1 MiB are left out.
 */
async function attachmentsOf(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const found = new Map<string, Uint8Array>();
  const doc = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: false });
  const names = doc.catalog.lookupMaybe(PDFName.of("Names"), PDFDict);
  const root = names?.lookupMaybe(PDFName.of("EmbeddedFiles"), PDFDict);
  const visit = (node: PDFDict | undefined, depth: number) => {
    if (!node || depth > 8) return;
    const kids = node.lookupMaybe(PDFName.of("Kids"), PDFArray);
    for (let i = 0; kids && i < Math.min(kids.size(), 256); i++) visit(kids.lookupMaybe(i, PDFDict), depth + 1);
    const list = node.lookupMaybe(PDFName.of("Names"), PDFArray);
    for (let i = 0; list && i + 1 < Math.min(list.size(), 512); i += 2) {
      const name = list.lookup(i);
      const spec = list.lookupMaybe(i + 1, PDFDict);
      const stream = spec?.lookupMaybe(PDFName.of("EF"), PDFDict)?.lookupMaybe(PDFName.of("F"), PDFStream);
      const file = stream instanceof PDFRawStream ? stream : undefined;
      const title = name instanceof PDFString || name instanceof PDFHexString ? name.decodeText() : undefined;
      const content = file && streamBytes(file);
      if (title !== undefined && content) found.set(title, content);
    }
  };
  visit(root, 0);
  return found;
}

/**
 * The presentation a printout carries (the attachment `certchain-presentation.json`, else the
 * first attached .json file), as text; undefined when the PDF has none or cannot be read.
 */
export async function presentationFromPdf(bytes: Uint8Array): Promise<string | undefined> {
  if (bytes.length > MAX_PAPER_FILE_BYTES) return undefined;
  try {
    const files = await attachmentsOf(bytes);
    const chosen = files.get(ATTACHMENT_NAME) ?? [...files].find(([name]) => name.toLowerCase().endsWith(".json"))?.[1];
    return chosen && new TextDecoder("utf-8", { fatal: true }).decode(chosen);
  } catch {
    return undefined;
  }
}

export interface Rgba {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  // The IHDR chunk comes first: width and height are big-endian at bytes 16 and 20.
  if (bytes.length < 24) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function decodeImage(bytes: Uint8Array, kind: "png" | "jpeg"): Rgba | undefined {
  if (kind === "png") {
    const size = pngSize(bytes);
    if (!size || size.width * size.height > MAX_IMAGE_PIXELS) return undefined;
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { data: new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), width: png.width, height: png.height };
  }
  const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 512 });
  return { data: new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), width: image.width, height: image.height };
}

/** Half the size, each pixel the mean of four: helps the locator with very large photos. */
function halve(image: Rgba): Rgba {
  const width = image.width >> 1;
  const height = image.height >> 1;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 4; c++) {
        const at = (dy: number, dx: number) => image.data[((2 * y + dy) * image.width + 2 * x + dx) * 4 + c];
        data[(y * width + x) * 4 + c] = (at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) >> 2;
      }
    }
  }
  return { data, width, height };
}

/**
 * The text of the QR code in a PNG or JPEG (a photo or scan of a printout), or undefined when
 * there is none that jsQR can read. The image is tried as it is, then at half size for large photos.
 */
export function qrTextFromImage(bytes: Uint8Array): string | undefined {
  const kind = paperFileKind(bytes);
  if ((kind !== "png" && kind !== "jpeg") || bytes.length > MAX_PAPER_FILE_BYTES) return undefined;
  let image: Rgba | undefined;
  try {
    image = decodeImage(bytes, kind);
  } catch {
    return undefined;
  }
  return image && findQrCode(image)?.text;
}

/**
 * The QR code in an image and where it is (corners in the image's own pixels): tried as it is,
 * then at half and quarter size for large photos.
 */
export function findQrCode(image: Rgba): { text: string; topLeft: { x: number; y: number }; bottomRight: { x: number; y: number } } | undefined {
  let scale = 1;
  for (let attempt = 0; attempt < 3; attempt++) {
    const code = jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
    if (code) {
      const { topLeftCorner: tl, bottomRightCorner: br } = code.location;
      return { text: code.data, topLeft: { x: tl.x * scale, y: tl.y * scale }, bottomRight: { x: br.x * scale, y: br.y * scale } };
    }
    if (image.width < 800 || image.height < 800) break;
    image = halve(image);
    scale *= 2;
  }
  return undefined;
}
