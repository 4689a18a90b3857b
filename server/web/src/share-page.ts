// /s/<id>#<key>: fetch the ciphertext, decrypt with the key from the fragment, verify in the browser.
import { verifyShareLink, type ShareVerificationResult } from "@certchain/sdk";
import { byId, fill } from "./lib/dom";
import { initLang, onLangChange, tr, type Text } from "./lib/i18n";
import { loadConfig, verifyOptionsOf } from "./lib/config";
import { T } from "./lib/messages";
import { renderChecking, renderResult, renderUnexpected } from "./lib/result-view";

const container = byId("result");
let state: ShareVerificationResult | "checking" | "failed" = "checking";

/** The closing note says what actually happened to the link's certificate here, never more. */
function aboutOf(current: typeof state): Text {
  if (current === "checking") return T.aboutChecking;
  if (current === "failed") return T.aboutFailed;
  const reason = current.reason as { check: string; code: string } | null;
  if (reason?.check === "share") return reason.code === "SHARE_DECRYPT_FAILED" ? T.aboutNotDecrypted : T.aboutNothingOpened;
  return current.verdict === "unverifiable" ? T.aboutUnchecked : T.aboutVerified;
}

function render() {
  if (state === "checking") renderChecking(container);
  else if (state === "failed") renderUnexpected(container);
  else renderResult(container, state);
  fill(byId("about"), tr(aboutOf(state)));
}

async function run() {
  state = "checking";
  render();
  const config = await loadConfig();
  state = await verifyShareLink(location.href, verifyOptionsOf(config));
  render();
  document.body.dataset.state = "done";
}

function fail() {
  state = "failed";
  render();
  document.body.dataset.state = "done";
}

function main() {
  initLang();
  onLangChange(render);
  // A key edited in the address bar: check again with it.
  window.addEventListener("hashchange", () => void run().catch(fail));
  run().catch(fail);
}

main();
