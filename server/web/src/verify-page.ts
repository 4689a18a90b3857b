// /verify: any certificate file (picked, dropped or pasted) or a share link, verified in the browser.
import { verify as verifyAny } from "@certchain/sdk";
import { byId, show } from "./lib/dom";
import { initLang, onLangChange } from "./lib/i18n";
import { loadConfig, verifyOptionsOf, type WebConfig } from "./lib/config";
import { acceptDrops, envelopeTextOf, readFileText } from "./lib/files";
import { renderChecking, renderResult, renderUnexpected, type AnyResult } from "./lib/result-view";
import { registerOfflineWorker } from "./lib/offline";

const container = byId("result");
const input = byId<HTMLInputElement>("file");
const pasted = byId<HTMLTextAreaElement>("pasted");
let config: Promise<WebConfig | undefined> = Promise.resolve(undefined);
let result: AnyResult | undefined;

async function check(text: string) {
  show(container);
  renderChecking(container);
  const trimmed = text.trim();
  const subject = /^https?:\/\//i.test(trimmed) ? trimmed : envelopeTextOf(trimmed);
  result = await verifyAny(subject, verifyOptionsOf(await config));
  renderResult(container, result);
  document.body.dataset.state = "done";
  container.scrollIntoView({ block: "start" });
}

const guarded = (work: Promise<void>) => work.catch(() => renderUnexpected(container));

async function main() {
  config = loadConfig();
  initLang();
  onLangChange(() => result && renderResult(container, result));
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (file) void guarded(readFileText(file).then(check));
  });
  acceptDrops(byId("dropzone"), (file) => void guarded(readFileText(file).then(check)));
  byId<HTMLFormElement>("paste-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (pasted.value.trim()) void guarded(check(pasted.value));
  });
  await config;
  document.body.dataset.state = "ready";
  registerOfflineWorker();
}

void main();
