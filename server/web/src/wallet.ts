// /wallet: the holder opens a certificate file, picks what to reveal and makes a share link.
// Everything but creating and withdrawing links (and fetching a pending certificate's proof)
// happens in the browser: the service never sees the certificate, the presentation or the key.
// Certificates are kept in this browser (localStorage) so they are there after a reload, each
// with its current status from the chain.
import QRCode from "qrcode";
import {
  agencySlugOf,
  createShare,
  credentialLeaf,
  disclosablePaths,
  findTypeByVct,
  parseCredential,
  parseEnvelope,
  presentCredential,
  shareLinkOf,
  verify as verifyAny,
  type Envelope,
  type VerificationResult,
} from "@certchain/sdk";
import { claimValue, labelOf, orderedClaims, sortSiblings, type ConcretePath, type TypeInfo } from "./lib/claims-view";
import { byId, fill, h, show } from "./lib/dom";
import { initLang, lang, onLangChange, tr, type Text } from "./lib/i18n";
import { loadConfig, verifyOptionsOf, type WebConfig } from "./lib/config";
import { confirmDialog } from "./lib/confirm-dialog";
import { acceptDrops, envelopeTextOf, readFileText } from "./lib/files";
import { formatTime } from "../../../display/time";
import { T, VERDICT_SYMBOLS } from "./lib/messages";
import { reasonText, VERDICT_LABELS } from "../../../display/verdict-texts";
import { certificateFacts, typeHeading } from "./lib/result-view";
import { paperQrOf } from "../../../display/paper-qr";
import { printoutOf, qrPrintMillimetres, PAPER_TEXTS, QR_QUIET_MODULES, type PaperQr } from "../../../display/printout";
import { registerOfflineWorker } from "./lib/offline";
import { breakableText } from "./lib/code-breaks";
import { initCollect } from "./wallet/collect";
import { forget, markSaved, read, remember, storedCertificates, storedOf, write, LINKS_KEY } from "./wallet/storage";

const W = {
  status: { "zh-CN": "状态", en: "Status" },
  chooseFields: { "zh-CN": "选择要展示的信息", en: "Choose what to reveal" },
  chooseHint: {
    "zh-CN": "只有勾选的信息会出现在分享链接和打印件里。证照类型、编号、发证机关和有效期总会显示。",
    en: "Only the ticked details go into the share link or the printout. The certificate's kind, number, issuing agency and validity are always shown.",
  },
  notCertificate: { "zh-CN": "无法打开：", en: "Cannot open: " },
  creating: { "zh-CN": "正在加密并创建链接…", en: "Encrypting and creating the link…" },
  created: { "zh-CN": "分享链接已创建，已选中链接。把链接或二维码交给需要查验的单位即可。", en: "The share link is ready and selected. Give the link or the QR code to whoever needs to check it." },
  pendingNoLink: {
    "zh-CN": "暂时不能创建分享链接：这张证照还没有记录到区块链上，对方打开链接也无法核验。通常几秒钟后就会上链，请稍后重新打开本页再试。",
    en: "A share link cannot be made yet: this certificate is not on the blockchain yet, so whoever opens the link could not check it. It is usually recorded within seconds; reopen this page a little later and try again.",
  },
  offline: { "zh-CN": "无法连接服务，未能完成。请联网后重试。", en: "The service could not be reached. Connect to the internet and try again." },
  failed: { "zh-CN": "未能完成：", en: "Could not finish: " },
  copied: { "zh-CN": "已复制链接。", en: "Link copied." },
  withdrawn: { "zh-CN": "链接已撤回，对方将无法再打开。", en: "The link is withdrawn; it no longer opens." },
  withdrawing: { "zh-CN": "正在撤回…", en: "Withdrawing…" },
  notWithdrawn: { "zh-CN": "没有撤回，链接仍然有效。", en: "Not withdrawn: the link still works." },
  expires: { "zh-CN": "有效期至", en: "Works until" },
  withdrawLabel: { "zh-CN": "撤回链接", en: "Withdraw link" },
  confirmWithdrawTitle: { "zh-CN": "撤回这个分享链接？", en: "Withdraw this share link?" },
  confirmWithdrawText: {
    "zh-CN": "撤回后，任何人都无法再用这个链接或二维码查看证照，包括已经收到链接的单位。此操作不能撤销。",
    en: "Once withdrawn, nobody can open the certificate with this link or QR code any more, including whoever already has it. This cannot be undone.",
  },
  confirmWithdraw: { "zh-CN": "撤回", en: "Withdraw" },
  fieldsCount: { "zh-CN": "展示 {n} 项信息", en: "{n} details revealed" },
  qr: { "zh-CN": "分享链接的二维码", en: "QR code of the share link" },
  checking: { "zh-CN": "正在核验状态…", en: "Checking status…" },
  upgraded: {
    "zh-CN": "这张证照已经记录到区块链上。请保存新的证照文件，替换原来“待上链”的文件：新文件不需要联网取证明，任何单位都能直接核验。",
    en: "This certificate is now recorded on the blockchain. Save the new certificate file in place of the old pending one: it verifies anywhere without fetching anything.",
  },
  saveAnchored: { "zh-CN": "保存已上链的证照文件", en: "Save the anchored certificate file" },
  open: { "zh-CN": "打开", en: "Open" },
  remove: { "zh-CN": "从本机删除", en: "Remove from this device" },
  confirmRemoveTitle: { "zh-CN": "从本机删除这张证照？", en: "Remove this certificate from this device?" },
  confirmRemoveText: {
    "zh-CN": "只删除本浏览器里保存的副本，证照本身仍然有效。如果没有另存文件，删除后需要重新向发证机关索取。",
    en: "Only the copy kept in this browser is removed; the certificate itself stays valid. Without a saved file, you would have to ask the issuing agency for it again.",
  },
  confirmRemove: { "zh-CN": "删除", en: "Remove" },
  removed: { "zh-CN": "已从本机删除。", en: "Removed from this device." },
  savedChecked: { "zh-CN": "已核验本机保存的 {n} 张证照。", en: "Checked the {n} certificates on this device." },
  preparingPrint: { "zh-CN": "正在准备打印…", en: "Preparing the printout…" },
  pendingNoPrint: {
    "zh-CN": "暂时不能打印：这张证照还没有记录到区块链上，纸质件上的二维码将无法核验。通常几秒钟后就会上链，请稍后再试。",
    en: "It cannot be printed yet: this certificate is not on the blockchain yet, so the paper's QR code could not be checked. It is usually recorded within seconds; try again a little later.",
  },
  notPrintable: { "zh-CN": "不能打印：这张证照目前核验结果为“{verdict}”。", en: "Not printed: this certificate currently verifies as “{verdict}”." },
  notShareable: { "zh-CN": "不能分享：这张证照目前核验结果为“{verdict}”。", en: "Not shared: this certificate currently verifies as “{verdict}”." },
  stillChecking: { "zh-CN": "正在核验状态，请稍候再试。", en: "Still checking its status; try again in a moment." },
  uncheckedTitle: { "zh-CN": "暂时无法核验这张证照，仍要创建分享链接吗？", en: "This certificate cannot be checked right now. Create the link anyway?" },
  uncheckedText: {
    "zh-CN": "{reason}对方打开链接时会自己对照区块链核验：如果那时证照无效，对方看到的就是“无效”。",
    en: "{reason} Whoever opens the link checks it against the blockchain themselves: if it is not valid then, that is what they will see.",
  },
  uncheckedConfirm: { "zh-CN": "仍然创建", en: "Create anyway" },
  notCreated: { "zh-CN": "没有创建分享链接。", en: "No link was created." },
  printReady: {
    "zh-CN": "打印件已准备好，打印窗口已打开。二维码里只含勾选的 {n} 项信息。",
    en: "The printout is ready and the print window is open. Its QR code holds only the {n} ticked details.",
  },
  printLink: {
    "zh-CN": "勾选的信息太多，二维码放不下，因此打印件上的二维码是一个分享链接，有效期至 {expires}。少勾选几项即可改为不依赖链接的二维码。",
    en: "The ticked details do not fit a QR code, so the printout's QR code is a share link, working until {expires}. Tick fewer details for a QR code that needs no link.",
  },
} satisfies Record<string, Text>;

interface SavedLink {
  id: string;
  link: string;
  withdrawToken: string;
  expiresAt: string;
  title: Text;
  revealed: number;
}

let config: Promise<WebConfig | undefined> = Promise.resolve(undefined);
let envelope: Envelope | undefined;
let result: VerificationResult | undefined;
let loading = false;
/** The opened certificate was pending when opened and is anchored now: offer the new file. */
let upgraded = false;
let current: SavedLink | undefined;
const chosen = new Set<string>();
const statuses = new Map<string, VerificationResult>();
let downloadUrl: string | undefined;

const savedLinks = (): SavedLink[] => read<SavedLink>(LINKS_KEY).filter((l) => Date.parse(l.expiresAt) > Date.now());
const saveLinks = (links: SavedLink[]) => write(LINKS_KEY, links);

// ---- the certificate ----

function slugOf(env: Envelope): string | undefined {
  try {
    return agencySlugOf(parseCredential(env.credential).payload.iss) ?? undefined;
  } catch {
    return undefined;
  }
}

function verdictText(verdict: VerificationResult["verdict"]) {
  return [h("span", { "aria-hidden": "true" }, VERDICT_SYMBOLS[verdict]), ` ${tr(VERDICT_LABELS[verdict])}`];
}

function badge(): HTMLElement {
  if (loading || !result) return h("p", { class: "badge badge--checking", role: "status" }, tr(W.checking));
  const verdict = result.verdict;
  return h(
    "div",
    { class: `badge badge--${verdict}`, "data-verdict": verdict },
    h("p", { class: "badge__word" }, h("span", { "aria-hidden": "true" }, VERDICT_SYMBOLS[verdict]), ` ${tr(W.status)}${lang() === "en" ? ": " : "："}`, h("span", { class: "verdict__word" }, tr(VERDICT_LABELS[verdict]))),
    result.reason ? h("p", { class: "badge__reason" }, tr(reasonText(result.reason.code))) : null,
  );
}

function fileNameOf(env: Envelope, res: VerificationResult): string {
  const type = res.certificate?.type?.names[lang()] ?? "certificate";
  const number = res.certificate?.number ?? credentialLeaf(env.credential).slice(2, 14);
  return `${type}-${number}.json`.replace(/[\\/:*?"<>|\s]+/g, "-");
}

function upgradedNotice(): HTMLElement | null {
  if (!upgraded || !envelope || !result) return null;
  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  downloadUrl = URL.createObjectURL(new Blob([`${JSON.stringify(envelope, null, 2)}\n`], { type: "application/json" }));
  return h(
    "div",
    { class: "upgraded", id: "upgraded" },
    h("p", { class: "note" }, tr(W.upgraded)),
    h("a", { class: "button button--primary", id: "save-anchored", href: downloadUrl, download: fileNameOf(envelope, result), onclick: () => markSaved(credentialLeaf(envelope!.credential)) }, tr(W.saveAnchored)),
  );
}

function renderCertificate() {
  const section = byId("cert-section");
  if (!result?.certificate || !envelope) return show(section, false);
  const type = result.certificate.type;
  let disclosable: ConcretePath[] = [];
  try {
    disclosable = disclosablePaths(envelope);
  } catch {
    // a file that failed integrity offers its top-level claims only
  }
  const fields = orderedClaims(type, result.claims).map(([name, value]) => fieldOf(type, [name], value, disclosable));
  fill(
    section,
    h("div", { class: "certificate" }, Object.assign(typeHeading(result), { id: "cert-title" }), badge(), upgradedNotice(), certificateFacts(result, slugOf(envelope))),
    h("fieldset", { class: "fields" }, h("legend", {}, tr(W.chooseFields)), h("p", { class: "hint" }, tr(W.chooseHint)), fields),
  );
  show(section);
  show(byId("share-section"));
  show(byId("print-section"));
}

const keyOf = (path: ConcretePath): string => path.join(".");
const pathOf = (key: string): (string | number)[] => key.split(".").map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
const isContainer = (value: unknown) => typeof value === "object" && value !== null;

/** Whether a part is revealed by a choice above it (revealing a claim reveals everything beneath it). */
const coveredByParent = (path: ConcretePath) => path.slice(0, -1).some((_, i) => chosen.has(keyOf(path.slice(0, i + 1))));

/**
 * One choice: a checkbox with the claim's label and value; beneath it, for a claim with parts
 * that are disclosures of their own (a spouse, a spouse's ID number), a choice per part, so the
 * holder can reveal one field of one spouse. Choosing a claim reveals all its parts.
 */
function fieldOf(type: TypeInfo | null, path: ConcretePath, value: unknown, disclosable: ConcretePath[]): HTMLElement {
  const key = keyOf(path);
  const id = `reveal-${key.replace(/\./g, "-")}`;
  const parts = sortSiblings(type, disclosable.filter((p) => p.length === path.length + 1 && p.slice(0, -1).every((segment, i) => segment === path[i])));
  // Own members only: names come from the file, and "__proto__" is no claim.
  const valueAt = (part: ConcretePath) => {
    const key = part[part.length - 1];
    return typeof value === "object" && value !== null && Object.hasOwn(value, key) ? (value as Record<string | number, unknown>)[key] : undefined;
  };
  const covered = coveredByParent(path);
  const row = h(
    "div",
    { class: path.length > 1 ? "field field--nested" : "field" },
    h("input", {
      type: "checkbox",
      id,
      value: key,
      checked: chosen.has(key) || covered,
      disabled: covered,
      onchange: (event: Event) => {
        if ((event.target as HTMLInputElement).checked) chosen.add(key);
        else chosen.delete(key);
        // Parts beneath follow the choice; keyboard focus stays on this box.
        if (parts.length > 0) {
          renderCertificate();
          document.getElementById(id)?.focus();
        }
      },
    }),
    h(
      "label",
      { for: id },
      h("span", { class: "field__label" }, labelOf(type, path)),
      parts.length > 0 && isContainer(value) ? null : h("span", { class: "field__value" }, claimValue(type, path, value)),
    ),
  );
  if (parts.length === 0 || !isContainer(value)) return row;
  return h(
    "div",
    { class: "field-group", role: "group", "aria-label": labelOf(type, path) },
    row,
    h("div", { class: "field-group__parts" }, parts.filter((part) => valueAt(part) !== undefined).map((part) => fieldOf(type, part, valueAt(part), disclosable))),
  );
}


/** Opens a certificate: shown at once from the file alone, then checked on the chain (fetching the proof if it is pending). */
async function open(text: string) {
  const error = byId("open-error");
  show(error, false);
  let parsed: Envelope;
  try {
    parsed = parseEnvelope(envelopeTextOf(text));
  } catch {
    fill(error, tr(W.notCertificate), tr(reasonText("FORMAT_MALFORMED")));
    show(error);
    return;
  }
  envelope = parsed;
  upgraded = false;
  chosen.clear();
  current = undefined;
  show(byId("share-result"), false);
  fill(byId("share-status"));
  // Verify first with no registry (offline, instant): format and integrity, claims and type.
  loading = true;
  result = await verifyAny(parsed, { registries: [] });
  if (!result.certificate) {
    fill(error, tr(W.notCertificate), tr(reasonText(result.reason?.code ?? "FORMAT_MALFORMED")));
    show(error);
    show(byId("cert-section"), false);
    show(byId("share-section"), false);
    envelope = undefined;
    return;
  }
  const leaf = credentialLeaf(parsed.credential);
  remember(parsed);
  // A pending file whose anchored version was made here earlier: open that one instead.
  const kept = storedOf(leaf);
  if (parsed.anchor.status === "pending" && kept?.envelope.anchor.status === "anchored" && kept.envelope.credential === parsed.credential) envelope = parsed = kept.envelope;
  upgraded = kept?.needsSaving === true && envelope.anchor.status === "anchored";
  renderCertificate();
  renderSaved();
  // Then against the chain, for the status badge and the agency's registered name.
  const checked = await verifyAny(parsed, verifyOptionsOf(await config));
  if (envelope !== parsed) return; // another file was opened meanwhile
  result = checked;
  loading = false;
  if (checked.envelope) {
    // It was pending and is anchored now: keep the anchored file, and offer it for saving.
    envelope = checked.envelope;
    upgraded = true;
    remember(checked.envelope, true);
  }
  statuses.set(leaf, checked);
  renderCertificate();
  renderSaved();
  byId("cert-section").scrollIntoView({ block: "start" });
  document.body.dataset.state = "loaded";
}

// ---- certificates kept on this device ----

function renderSaved() {
  const all = storedCertificates();
  show(byId("saved-section"), all.length > 0);
  fill(
    byId("saved"),
    all.map((stored) => {
      const status = statuses.get(stored.leaf);
      let title = tr(T.unknownType);
      let number = "";
      let first = "";
      try {
        const payload = parseCredential(stored.envelope.credential).payload;
        // The type as verification resolved it (bundled, or vouched for by the registry); before
        // that, a type the SDK ships.
        const bundled = findTypeByVct(String(payload.vct));
        const type = status?.certificate?.type ?? (bundled ? { names: bundled.names, claimOrder: Object.keys(bundled.claims) } : undefined);
        if (type) title = type.names[lang()];
        number = String(payload.certificate_number ?? "");
        const claims = status?.claims ?? {};
        const name = type?.claimOrder?.find((c) => typeof claims[c] === "string");
        if (name) first = String(claims[name]);
      } catch {
        // listed by what is known; verification says what is wrong with it
      }
      const tag = status
        ? h("p", { class: `tag tag--${status.verdict}`, "data-verdict": status.verdict }, h("span", { class: "tag__word" }, verdictText(status.verdict)))
        : h("p", { class: "tag tag--checking", "data-verdict": "checking" }, h("span", { class: "tag__word" }, tr(W.checking)));
      return h(
        "li",
        { class: "saved-cert", "data-leaf": stored.leaf },
        h("div", { class: "saved-cert__text" }, h("p", { class: "saved-cert__title" }, first ? `${title} · ${first}` : title), h("p", { class: "saved-cert__number" }, breakableText(number))),
        tag,
        h(
          "div",
          { class: "saved-cert__actions" },
          h("button", { type: "button", class: "button", "aria-label": `${tr(W.open)}: ${title} ${number}`, onclick: () => void open(JSON.stringify(stored.envelope)) }, tr(W.open)),
          h("button", { type: "button", class: "button", "aria-label": `${tr(W.remove)}: ${title} ${number}`, onclick: () => void removeStored(stored.leaf) }, tr(W.remove)),
        ),
      );
    }),
  );
}

async function removeStored(leaf: string) {
  const ok = await confirmDialog({ title: tr(W.confirmRemoveTitle), text: tr(W.confirmRemoveText), confirm: tr(W.confirmRemove) });
  if (!ok) return;
  forget(leaf);
  statuses.delete(leaf);
  renderSaved();
  fill(byId("saved-status"), tr(W.removed));
}

/** Checks every kept certificate against the chain (fetching the proofs of pending ones). */
async function checkSaved() {
  const all = storedCertificates();
  const options = verifyOptionsOf(await config);
  for (const stored of all) {
    const checked = await verifyAny(stored.envelope, options);
    statuses.set(stored.leaf, checked);
    if (checked.envelope) remember(checked.envelope, true);
    renderSaved();
  }
  if (all.length > 0) fill(byId("saved-status"), tr(W.savedChecked).replace("{n}", String(all.length)));
  document.body.dataset.saved = "checked";
}

// ---- share links ----

async function apiError(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { message?: string } };
    return body.error?.message ?? `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

function showCurrent() {
  const box = byId("share-result");
  if (!current) return show(box, false);
  byId<HTMLInputElement>("share-link").value = current.link;
  fill(byId("share-expiry"), `${tr(W.expires)} ${formatTime(current.expiresAt)}`);
  const qr = byId("qr");
  qr.setAttribute("aria-label", tr(W.qr));
  show(box);
}

/**
 * Encrypts a presentation here and stores only the ciphertext on the service; the key stays in
 * the link's fragment. The link is kept on this device so it can be withdrawn. Undefined (with
 * the reason in `status`) when the service refused or could not be reached.
 */
async function shareLinkFor(presentation: Envelope, seconds: number, revealed: number, status: HTMLElement): Promise<SavedLink | undefined> {
  const { ciphertext, key } = await createShare(presentation);
  const expiresAt = new Date(Date.now() + seconds * 1000).toISOString();
  let response: Response;
  try {
    response = await fetch("/v1/shares", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ciphertext, expiresAt }) });
  } catch {
    fill(status, tr(W.offline));
    return undefined;
  }
  if (response.status !== 201) {
    fill(status, tr(W.failed), await apiError(response));
    return undefined;
  }
  const created = (await response.json()) as { id: string; withdrawToken: string; expiresAt: string };
  const type = result?.certificate?.type;
  const link: SavedLink = {
    id: created.id,
    link: shareLinkOf(location.origin, created.id, key),
    withdrawToken: created.withdrawToken,
    expiresAt: created.expiresAt,
    title: type ? { ...type.names } : T.unknownType,
    revealed,
  };
  saveLinks([link, ...savedLinks().filter((l) => l.id !== link.id)]);
  renderLinks();
  return link;
}

/** "不能分享：…“无效”。" with the reason in plain words: what the badge shows, said where the button is. */
function refusal(text: Text, shown: VerificationResult): string[] {
  return [tr(text).replace("{verdict}", tr(VERDICT_LABELS[shown.verdict])), " ", tr(reasonText(shown.reason?.code ?? "FORMAT_MALFORMED"))];
}

/**
 * Whether a link may be made: never for a certificate this page shows as not valid (the same rule
 * as printing); when the chain cannot be reached just now (无法验证), the holder is asked, since
 * whoever opens the link checks it again. The presentation is checked too, as it will be opened.
 */
async function mayShare(presentationOf: () => Envelope, status: HTMLElement): Promise<Envelope | undefined> {
  if (loading || !result) {
    fill(status, tr(W.stillChecking));
    return undefined;
  }
  let shown: VerificationResult = result;
  let presentation: Envelope | undefined;
  if (result.verdict === "valid" || result.verdict === "unverifiable") {
    presentation = presentationOf();
    shown = await verifyAny(presentation, verifyOptionsOf(await config));
  }
  if (shown.verdict === "valid") return presentation;
  if (shown.verdict !== "unverifiable" || !presentation) {
    fill(status, ...refusal(W.notShareable, shown));
    return undefined;
  }
  const reason = tr(reasonText(shown.reason?.code ?? "CHAIN_UNREACHABLE"));
  const go = await confirmDialog({ title: tr(W.uncheckedTitle), text: tr(W.uncheckedText).replace("{reason}", reason), confirm: tr(W.uncheckedConfirm) });
  if (!go) fill(status, tr(W.notCreated));
  return go ? presentation : undefined;
}

async function createLink() {
  if (!envelope || !result) return;
  const status = byId("share-status");
  // A link to a pending certificate would show "not yet anchored" to whoever opens it.
  if (envelope.anchor.status === "pending") {
    fill(status, tr(W.pendingNoLink));
    return;
  }
  const button = byId<HTMLButtonElement>("create");
  button.disabled = true;
  fill(status, tr(W.creating));
  try {
    const revealed = [...chosen];
    const presentation = await mayShare(() => presentCredential(envelope!, revealed.map(pathOf)), status);
    if (!presentation) return;
    fill(status, tr(W.creating));
    const seconds = Number(byId<HTMLSelectElement>("expiry").value);
    const made = await shareLinkFor(presentation, seconds, revealed.length, status);
    if (!made) return;
    current = made;
    // The QR code is drawn from our own link text only (SVG markup from the qrcode package).
    byId("qr").innerHTML = await QRCode.toString(current.link, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
    showCurrent();
    renderLinks();
    fill(status, tr(W.created));
    // Straight to the link, selected: a screen reader reads it, a keyboard user can copy it at once.
    const linkInput = byId<HTMLInputElement>("share-link");
    linkInput.focus();
    linkInput.select();
  } catch (error) {
    fill(status, tr(W.failed), error instanceof Error ? error.message : String(error));
  } finally {
    button.disabled = false;
  }
}

// ---- printing ----

const both = (text: { "zh-CN": string; en: string }, tag: "dt" | "dd" | "p" | "span" = "span") =>
  h(tag, {}, text["zh-CN"], h("span", { class: "pv-en", lang: "en" }, text.en));

/** The print view: the same content and QR code size as `certchain print`'s PDF, laid out for the browser's printing. */
async function renderPrintView(shown: VerificationResult, qr: PaperQr) {
  // This service's own verify page, as the holder's browser reaches it.
  const content = printoutOf(shown, qr, `${location.origin}/verify`);
  const P = PAPER_TEXTS;
  const svg = await QRCode.toString(qr.text, { type: "svg", errorCorrectionLevel: "M", margin: QR_QUIET_MODULES });
  const modules = QRCode.create(qr.text, { errorCorrectionLevel: "M" }).modules.size;
  const size = qrPrintMillimetres(modules);
  const code = h("div", { class: "pv-qr__code", role: "img", "aria-label": tr(W.qr) });
  // Our own QR text drawn by the qrcode package: SVG markup with no data from elsewhere.
  code.innerHTML = svg;
  const image = code.querySelector("svg");
  // Set through the CSSOM (allowed by the pages' CSP, unlike style attributes in markup).
  if (image) image.style.width = image.style.height = `${size.edge.toFixed(2)}mm`;
  const rows = (items: { label: { "zh-CN": string; en: string }; value: string }[]) =>
    h("dl", { class: "pv-rows" }, items.flatMap((r) => [both(r.label, "dt"), h("dd", {}, r.value)]));
  fill(
    byId("print-view"),
    h("p", { class: "pv-header" }, `${P.header["zh-CN"]}  ${P.header.en}`),
    h("p", { class: "pv-type" }, content.typeNames["zh-CN"]),
    h("p", { class: "pv-type-en", lang: "en" }, content.typeNames.en),
    rows([{ label: P.number, value: content.number }]),
    // The QR code right under the number: the browser paginates, and the first page must carry it.
    h(
      "div",
      { class: "pv-qr" },
      code,
      h(
        "div",
        {},
        content.attests.map((t) => h("p", { class: "pv-note" }, t["zh-CN"], h("span", { class: "pv-en", lang: "en" }, t.en))),
        h("p", { class: "pv-small" }, `QR: ${qr.kind === "payload" ? "CC1" : "URL"} · version ${qr.version} · EC M · ${qr.text.length} chars · ${size.module.toFixed(2)} mm/module`),
      ),
    ),
    rows([
      ...(content.rows.length > 0 ? content.rows : [{ label: P.noneRevealed, value: "" }]),
      ...(content.withheld.length > 0 ? [{ label: P.withheld, value: `${content.withheld.map((l) => l["zh-CN"]).join("、")}\n${content.withheld.map((l) => l.en).join(", ")}` }] : []),
    ]),
    rows(content.facts),
    h("p", { class: "pv-footer" }, `${P.printedAt["zh-CN"]} ${P.printedAt.en} ${formatTime(new Date().toISOString())}`),
  );
}

/** Prints the ticked details with a QR code holding them (or, when they do not fit, a share link). */
async function printCertificate() {
  if (!envelope || !result) return;
  const status = byId("print-status");
  if (envelope.anchor.status === "pending") {
    fill(status, tr(W.pendingNoPrint));
    return;
  }
  // What the badge shows as not valid is not printed (nor shared): said before anything is made of it.
  if (!loading && result.verdict !== "valid" && result.verdict !== "unverifiable") {
    fill(status, ...refusal(W.notPrintable, result));
    return;
  }
  const button = byId<HTMLButtonElement>("print");
  button.disabled = true;
  fill(status, tr(W.preparingPrint));
  try {
    const revealed = [...chosen];
    const presentation = presentCredential(envelope, revealed.map(pathOf));
    // What is printed is what a scan will show: the presentation as the chain judges it now.
    const shown = await verifyAny(presentation, verifyOptionsOf(await config));
    if (shown.verdict !== "valid") {
      fill(status, ...refusal(W.notPrintable, shown));
      return;
    }
    let failed = false;
    const qr = await paperQrOf(presentation, async (p) => {
      const made = await shareLinkFor(p, 30 * 24 * 3600 - 60, revealed.length, status);
      if (!made) {
        failed = true;
        throw new Error("no share link");
      }
      return { link: made.link, expiresAt: made.expiresAt };
    }).catch((error: unknown) => {
      if (failed) return undefined;
      throw error;
    });
    if (!qr) return;
    await renderPrintView(shown, qr);
    fill(status, qr.kind === "payload" ? tr(W.printReady).replace("{n}", String(revealed.length)) : tr(W.printLink).replace("{expires}", formatTime(qr.expiresAt)));
    document.body.dataset.printed = qr.kind;
    window.print();
  } catch (error) {
    fill(status, tr(W.failed), error instanceof Error ? error.message : String(error));
  } finally {
    button.disabled = false;
  }
}

async function withdraw(link: SavedLink, status: HTMLElement) {
  const ok = await confirmDialog({ title: tr(W.confirmWithdrawTitle), text: tr(W.confirmWithdrawText), confirm: tr(W.confirmWithdraw) });
  if (!ok) {
    fill(status, tr(W.notWithdrawn));
    return;
  }
  fill(status, tr(W.withdrawing));
  let response: Response;
  try {
    response = await fetch(`/v1/shares/${encodeURIComponent(link.id)}`, { method: "DELETE", headers: { authorization: `Bearer ${link.withdrawToken}` } });
  } catch {
    fill(status, tr(W.offline));
    return;
  }
  // Already gone (expired, purged) is as good as withdrawn.
  if (response.status !== 204 && response.status !== 404 && response.status !== 410) {
    fill(status, tr(W.failed), await apiError(response));
    return;
  }
  saveLinks(savedLinks().filter((l) => l.id !== link.id));
  if (current?.id === link.id) {
    current = undefined;
    show(byId("share-result"), false);
  }
  fill(byId("share-status"), tr(W.withdrawn));
  renderLinks();
}

function renderLinks() {
  const links = savedLinks();
  const section = byId("links-section");
  show(section, links.length > 0);
  const status = byId("links-status");
  fill(
    byId("links"),
    links.map((link) =>
      h(
        "li",
        { class: "saved-link", "data-share-id": link.id },
        h("p", { class: "saved-link__title" }, `${tr(link.title)} · ${tr(W.fieldsCount).replace("{n}", String(link.revealed))}`),
        h("p", { class: "saved-link__expiry" }, `${tr(W.expires)} ${formatTime(link.expiresAt)}`),
        h("p", { class: "saved-link__url" }, h("a", { href: link.link, target: "_blank", rel: "noopener noreferrer" }, link.link)),
        h(
          "button",
          { type: "button", class: "button button--danger", "aria-label": `${tr(W.withdrawLabel)}: ${tr(link.title)}, ${formatTime(link.expiresAt)}`, onclick: () => void withdraw(link, status) },
          tr(W.withdrawLabel),
        ),
      ),
    ),
  );
}

async function copyLink() {
  const input = byId<HTMLInputElement>("share-link");
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    input.select();
    document.execCommand("copy");
  }
  fill(byId("share-status"), tr(W.copied));
}

async function main() {
  config = loadConfig();
  initLang();
  onLangChange(() => {
    renderCertificate();
    renderSaved();
    showCurrent();
    renderLinks();
  });
  const input = byId<HTMLInputElement>("file");
  const openFile = (file: File) => void readFileText(file).then(open).catch(() => undefined);
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (file) openFile(file);
    input.value = "";
  });
  acceptDrops(byId("dropzone"), openFile);
  byId("create").addEventListener("click", () => void createLink());
  byId("print").addEventListener("click", () => void printCertificate());
  byId("copy").addEventListener("click", () => void copyLink());
  byId("withdraw").addEventListener("click", () => current && void withdraw(current, byId("share-status")));
  renderSaved();
  renderLinks();
  initCollect({ config, opened: (collected) => open(JSON.stringify(collected)) });
  await config;
  document.body.dataset.state = "ready";
  registerOfflineWorker();
  await checkSaved();
}

void main();
