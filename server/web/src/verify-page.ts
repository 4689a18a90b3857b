// /verify: any certificate file (picked, dropped or pasted), a share link, or a printout (its QR
// code, from the camera or a photo), verified in the browser.
import { isPaperPayload, verify as verifyAny } from "@certchain/sdk";
import { byId, fill, show } from "./lib/dom";
import { initLang, onLangChange, tr, type Text } from "./lib/i18n";
import { loadConfig, verifyOptionsOf, type WebConfig } from "./lib/config";
import { acceptDrops, envelopeTextOf, readFileText } from "./lib/files";
import { readQrFromFile, scanWithCamera, type CameraScan } from "./lib/qr-reader";
import { renderChecking, renderResult, renderUnexpected, type AnyResult } from "./lib/result-view";
import { registerOfflineWorker } from "./lib/offline";

const V = {
  reading: { "zh-CN": "正在识别二维码…", en: "Reading the QR code…" },
  noQr: {
    "zh-CN": "照片中没有找到能识别的二维码。请把二维码拍得更清楚、更正，让它占画面更大一些，再试一次。",
    en: "No readable QR code in the photo. Take a sharper, straighter photo with the QR code larger in it, and try again.",
  },
  notCertificateQr: { "zh-CN": "这个二维码不是电子证照的二维码。", en: "This QR code is not a certificate's QR code." },
  pointCamera: { "zh-CN": "请把打印件上的二维码对准摄像头。", en: "Point the camera at the printout's QR code." },
  noCamera: {
    "zh-CN": "无法使用摄像头（没有摄像头，或未允许本页使用）。可以改为上传照片。",
    en: "The camera cannot be used (there is none, or this page was not allowed to use it). Upload a photo instead.",
  },
  found: { "zh-CN": "已识别二维码。", en: "QR code read." },
  cameraView: { "zh-CN": "摄像头画面", en: "Camera view" },
} satisfies Record<string, Text>;

const container = byId("result");
const input = byId<HTMLInputElement>("file");
const photo = byId<HTMLInputElement>("photo");
const pasted = byId<HTMLTextAreaElement>("pasted");
const paperStatus = byId("paper-status");
const video = byId<HTMLVideoElement>("camera-video");
let config: Promise<WebConfig | undefined> = Promise.resolve(undefined);
let result: AnyResult | undefined;
let fromPaper = false;
let scan: CameraScan | undefined;

async function check(text: string, paper = false) {
  show(container);
  renderChecking(container);
  const trimmed = text.trim();
  const subject = /^https?:\/\//i.test(trimmed) || isPaperPayload(trimmed) ? trimmed : envelopeTextOf(trimmed);
  result = await verifyAny(subject, verifyOptionsOf(await config));
  fromPaper = paper;
  renderResult(container, result, { paper });
  document.body.dataset.state = "done";
  container.scrollIntoView({ block: "start" });
}

/** A printout's QR code holds its presentation ("CC1:…") or, when that did not fit, a share link. */
async function checkQrText(text: string | undefined) {
  if (text === undefined) {
    fill(paperStatus, tr(V.noQr));
    return;
  }
  const trimmed = text.trim();
  if (!isPaperPayload(trimmed) && !/^https?:\/\/[^\s]*\/s\//i.test(trimmed)) {
    fill(paperStatus, tr(V.notCertificateQr));
    return;
  }
  fill(paperStatus, tr(V.found));
  await check(trimmed, true);
}

function stopCamera() {
  scan?.stop();
  scan = undefined;
  show(byId("camera"), false);
}

async function startCamera() {
  stopCamera();
  show(byId("camera"));
  video.setAttribute("aria-label", tr(V.cameraView));
  fill(paperStatus, tr(V.pointCamera));
  try {
    scan = await scanWithCamera(video, (text) => {
      show(byId("camera"), false);
      scan = undefined;
      void guarded(checkQrText(text));
    });
  } catch {
    show(byId("camera"), false);
    fill(paperStatus, tr(V.noCamera));
  }
}

const guarded = (work: Promise<void>) => work.catch(() => renderUnexpected(container));

async function main() {
  config = loadConfig();
  initLang();
  onLangChange(() => result && renderResult(container, result, { paper: fromPaper }));
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (file) void guarded(readFileText(file).then((text) => check(text)));
  });
  photo.addEventListener("change", () => {
    const file = photo.files?.[0];
    photo.value = "";
    if (!file) return;
    fill(paperStatus, tr(V.reading));
    void guarded(readQrFromFile(file).then(checkQrText));
  });
  byId("scan").addEventListener("click", () => void startCamera());
  byId("scan-stop").addEventListener("click", () => {
    stopCamera();
    fill(paperStatus);
  });
  acceptDrops(byId("dropzone"), (file) => {
    // A dropped photo of a printout is read for its QR code; anything else as a certificate file.
    if (file.type.startsWith("image/")) {
      fill(paperStatus, tr(V.reading));
      void guarded(readQrFromFile(file).then(checkQrText));
    } else void guarded(readFileText(file).then((text) => check(text)));
  });
  byId<HTMLFormElement>("paste-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (pasted.value.trim()) void guarded(check(pasted.value, isPaperPayload(pasted.value.trim())));
  });
  await config;
  document.body.dataset.state = "ready";
  registerOfflineWorker();
}

void main();
