// Reading a QR code in the browser, from a photo or from the camera. The platform's
// BarcodeDetector where there is one (Android, macOS, ChromeOS), else jsQR (pure JavaScript, no
// eval: fits the pages' CSP). Nothing leaves the browser.
import jsQR from "jsqr";

/** Photos are scaled down to this many pixels on the long side before decoding: enough for 0.5 mm modules on an A4 page. */
const MAX_SIDE = 2400;

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<DetectedBarcode[]>;
}
type BarcodeDetectorConstructor = {
  new (options: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats?(): Promise<string[]>;
};

let detector: Promise<BarcodeDetectorLike | undefined> | undefined;

/** The platform's QR detector, if it has one that reads QR codes. */
function platformDetector(): Promise<BarcodeDetectorLike | undefined> {
  detector ??= (async () => {
    const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorConstructor }).BarcodeDetector;
    if (!Detector) return undefined;
    try {
      const formats = (await Detector.getSupportedFormats?.()) ?? ["qr_code"];
      return formats.includes("qr_code") ? new Detector({ formats: ["qr_code"] }) : undefined;
    } catch {
      return undefined;
    }
  })();
  return detector;
}

const canvas = document.createElement("canvas");

/** The text of the QR code in `source` (an image bitmap or a playing video), or undefined. */
export async function readQr(source: ImageBitmap | HTMLVideoElement): Promise<string | undefined> {
  const native = await platformDetector();
  if (native) {
    try {
      const [found] = await native.detect(source);
      if (found?.rawValue) return found.rawValue;
    } catch {
      // fall through to jsQR
    }
  }
  const width = source instanceof HTMLVideoElement ? source.videoWidth : source.width;
  const height = source instanceof HTMLVideoElement ? source.videoHeight : source.height;
  if (!width || !height) return undefined;
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  if (!context) return undefined;
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  const image = context.getImageData(0, 0, canvas.width, canvas.height);
  return jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" })?.data;
}

/** The QR code in a photo or scan the reader picked; undefined when there is none (or it is not an image). */
export async function readQrFromFile(file: File): Promise<string | undefined> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return undefined;
  }
  try {
    return await readQr(bitmap);
  } finally {
    bitmap.close();
  }
}

/** A running camera scan; `stop` ends it and releases the camera. */
export interface CameraScan {
  stop(): void;
}

/**
 * Starts the rear camera in `video` and looks for a QR code a few times a second; calls `onText`
 * once with the first one found, then stops.
 */
export async function scanWithCamera(video: HTMLVideoElement, onText: (text: string) => void): Promise<CameraScan> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false });
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  video.srcObject = stream;
  await video.play();
  const tick = async () => {
    if (stopped) return;
    const text = await readQr(video).catch(() => undefined);
    if (stopped) return;
    if (text) {
      stop();
      onText(text);
    } else timer = setTimeout(() => void tick(), 250);
  };
  void tick();
  return { stop };
}
