// /wallet: the holder opens a certificate file, picks what to reveal and makes a share link.
// Everything but creating and withdrawing links happens in the browser: the service never sees
// the certificate, the presentation or the key.
import QRCode from "qrcode";
import { agencySlugOf, disclosablePaths, parseCredential, parseEnvelope, type Envelope, presentCredential, createShare, shareLinkOf, verify, type VerificationResult } from "@certchain/sdk";
import { claimValue, labelOf, orderedClaims, sortSiblings, type ConcretePath, type TypeInfo } from "./lib/claims-view";
import { byId, fill, h, show } from "./lib/dom";
import { initLang, lang, onLangChange, tr, type Text } from "./lib/i18n";
import { loadConfig, verifyOptionsOf, type WebConfig } from "./lib/config";
import { acceptDrops, envelopeTextOf, readFileText } from "./lib/files";
import { formatTime } from "./lib/format";
import { reasonText, T, VERDICT_LABELS, VERDICT_SYMBOLS } from "./lib/messages";
import { certificateFacts, typeHeading } from "./lib/result-view";
import { registerOfflineWorker } from "./lib/offline";

const W = {
  status: { "zh-CN": "状态", en: "Status" },
  chooseFields: { "zh-CN": "选择要展示的信息", en: "Choose what to reveal" },
  chooseHint: {
    "zh-CN": "只有勾选的信息会出现在分享链接里。证照类型、编号、发证机关和有效期总会显示。",
    en: "Only the ticked details go into the share link. The certificate's kind, number, issuing agency and validity are always shown.",
  },
  notCertificate: { "zh-CN": "无法打开：", en: "Cannot open: " },
  creating: { "zh-CN": "正在加密并创建链接…", en: "Encrypting and creating the link…" },
  created: { "zh-CN": "分享链接已创建。把链接或二维码交给需要查验的单位即可。", en: "The share link is ready. Give the link or the QR code to whoever needs to check it." },
  offline: { "zh-CN": "无法连接服务，未能完成。请联网后重试。", en: "The service could not be reached. Connect to the internet and try again." },
  failed: { "zh-CN": "未能完成：", en: "Could not finish: " },
  copied: { "zh-CN": "已复制链接。", en: "Link copied." },
  withdrawn: { "zh-CN": "链接已撤回，对方将无法再打开。", en: "The link is withdrawn; it no longer opens." },
  withdrawing: { "zh-CN": "正在撤回…", en: "Withdrawing…" },
  expires: { "zh-CN": "有效期至", en: "Works until" },
  withdraw: { "zh-CN": "撤回此链接", en: "Withdraw this link" },
  withdrawLabel: { "zh-CN": "撤回链接", en: "Withdraw link" },
  fieldsCount: { "zh-CN": "展示 {n} 项信息", en: "{n} details revealed" },
  qr: { "zh-CN": "分享链接的二维码", en: "QR code of the share link" },
  checking: { "zh-CN": "正在核验状态…", en: "Checking status…" },
} satisfies Record<string, Text>;

interface SavedLink {
  id: string;
  link: string;
  withdrawToken: string;
  expiresAt: string;
  title: Text;
  revealed: number;
}

const LINKS_KEY = "certchain.wallet.links";

let config: Promise<WebConfig | undefined> = Promise.resolve(undefined);
let envelope: Envelope | undefined;
let result: VerificationResult | undefined;
let loading = false;
let current: SavedLink | undefined;
const chosen = new Set<string>();

// ---- saved links (this browser only) ----

function savedLinks(): SavedLink[] {
  try {
    const links = JSON.parse(localStorage.getItem(LINKS_KEY) ?? "[]") as SavedLink[];
    return Array.isArray(links) ? links.filter((l) => Date.parse(l.expiresAt) > Date.now()) : [];
  } catch {
    return [];
  }
}

function saveLinks(links: SavedLink[]) {
  try {
    localStorage.setItem(LINKS_KEY, JSON.stringify(links));
  } catch {
    // the link still works; only the list on this device is lost
  }
}

// ---- certificate ----

function slugOf(env: Envelope): string | undefined {
  try {
    return agencySlugOf(parseCredential(env.credential).payload.iss) ?? undefined;
  } catch {
    return undefined;
  }
}

function badge(): HTMLElement {
  if (loading || !result) return h("p", { class: "badge badge--checking", role: "status" }, tr(W.checking));
  const verdict = result.verdict;
  return h(
    "div",
    { class: `badge badge--${verdict}`, "data-verdict": verdict },
    h("p", { class: "badge__word" }, h("span", { "aria-hidden": "true" }, VERDICT_SYMBOLS[verdict]), ` ${tr(W.status)}${lang() === "en" ? ": " : "："}${tr(VERDICT_LABELS[verdict])}`),
    result.reason ? h("p", { class: "badge__reason" }, tr(reasonText(result.reason.code))) : null,
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
  const fields = orderedClaims(type, result.claims).map(([name, value]) => fieldOf(type, [name], value, disclosable));  fill(
    section,
    h(
      "div",
      { class: "certificate" },
      Object.assign(typeHeading(result), { id: "cert-title" }),
      badge(),
      certificateFacts(result, slugOf(envelope)),
    ),
    h("fieldset", { class: "fields" }, h("legend", {}, tr(W.chooseFields)), h("p", { class: "hint" }, tr(W.chooseHint)), fields),
  );
  show(section);
  show(byId("share-section"));
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
  const valueAt = (part: ConcretePath) => (value as Record<string | number, unknown>)[part[part.length - 1]];
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
  chosen.clear();
  current = undefined;
  show(byId("share-result"), false);
  fill(byId("share-status"));
  // Verify first with no registry (offline, instant): format and integrity, claims and type.
  loading = true;
  result = await verify(parsed, { registries: [] });
  if (!result.certificate) {
    fill(error, tr(W.notCertificate), tr(reasonText(result.reason?.code ?? "FORMAT_MALFORMED")));
    show(error);
    show(byId("cert-section"), false);
    show(byId("share-section"), false);
    envelope = undefined;
    return;
  }
  renderCertificate();
  // Then against the chain, for the status badge and the agency's registered name.
  const checked = await verify(parsed, verifyOptionsOf(await config));
  if (envelope !== parsed) return; // another file was opened meanwhile
  result = checked;
  loading = false;
  renderCertificate();
  byId("cert-section").scrollIntoView({ block: "start" });
  document.body.dataset.state = "loaded";
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

async function createLink() {
  if (!envelope || !result) return;
  const status = byId("share-status");
  const button = byId<HTMLButtonElement>("create");
  button.disabled = true;
  fill(status, tr(W.creating));
  try {
    const revealed = [...chosen];
    const presentation = presentCredential(envelope, revealed.map(pathOf));
    const { ciphertext, key } = await createShare(presentation);
    const seconds = Number(byId<HTMLSelectElement>("expiry").value);
    const expiresAt = new Date(Date.now() + seconds * 1000).toISOString();
    let response: Response;
    try {
      response = await fetch("/v1/shares", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ciphertext, expiresAt }) });
    } catch {
      fill(status, tr(W.offline));
      return;
    }
    if (response.status !== 201) {
      fill(status, tr(W.failed), await apiError(response));
      return;
    }
    const created = (await response.json()) as { id: string; withdrawToken: string; expiresAt: string };
    const type = result.certificate?.type;
    current = {
      id: created.id,
      link: shareLinkOf(location.origin, created.id, key),
      withdrawToken: created.withdrawToken,
      expiresAt: created.expiresAt,
      title: type ? { ...type.names } : T.unknownType,
      revealed: revealed.length,
    };
    saveLinks([current, ...savedLinks().filter((l) => l.id !== current!.id)]);
    // The QR code is drawn from our own link text only (SVG markup from the qrcode package).
    byId("qr").innerHTML = await QRCode.toString(current.link, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
    showCurrent();
    renderLinks();
    fill(status, tr(W.created));
    byId("share-result").scrollIntoView({ block: "start" });
  } catch (error) {
    fill(status, tr(W.failed), error instanceof Error ? error.message : String(error));
  } finally {
    button.disabled = false;
  }
}

async function withdraw(link: SavedLink, status: HTMLElement) {
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
  byId("copy").addEventListener("click", () => void copyLink());
  byId("withdraw").addEventListener("click", () => current && void withdraw(current, byId("share-status")));
  renderLinks();
  await config;
  document.body.dataset.state = "ready";
  registerOfflineWorker();
}

void main();
