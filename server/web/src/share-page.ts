// /s/<id>#<key>: fetch the ciphertext, decrypt with the key from the fragment, verify in the browser.
import { verifyShareLink, type ShareVerificationResult } from "@certchain/sdk";
import { byId } from "./lib/dom";
import { initLang, onLangChange } from "./lib/i18n";
import { loadConfig, verifyOptionsOf } from "./lib/config";
import { renderChecking, renderResult, renderUnexpected } from "./lib/result-view";

const container = byId("result");
let result: ShareVerificationResult | undefined;

async function run() {
  renderChecking(container);
  const config = await loadConfig();
  result = await verifyShareLink(location.href, verifyOptionsOf(config));
  renderResult(container, result);
  document.body.dataset.state = "done";
}

function main() {
  initLang();
  onLangChange(() => (result ? renderResult(container, result) : renderChecking(container)));
  // A key edited in the address bar: check again with it.
  window.addEventListener("hashchange", () => void run().catch(() => renderUnexpected(container)));
  run().catch(() => {
    renderUnexpected(container);
    document.body.dataset.state = "done";
  });
}

main();
