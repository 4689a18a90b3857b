// /wallet?client_id=…&request_uri=…: a department asks for certificates (OpenID4VP 1.0). One
// decision per screen: who is asking (the name, verified on the registry or not), why, which
// details, which certificate, the optional details, then consent or refusal. The answer is an
// SD-JWT with a key-binding JWT signed by the certificate's device key (IndexedDB), posted to the
// request's response_uri (direct_post); the wallet keeps a record with the consent receipt it
// computes itself. Nothing is sent before the citizen agrees, except a refusal they confirm.
import {
  chooseClaimOption,
  consentReceiptOf,
  findTypeByVct,
  matchDcqlQuery,
  parseCredential,
  parseDcqlQuery,
  presentWithKeyBinding,
  readHolderKey,
  verifyPresentationRequest,
  type DcqlCandidate,
  type DcqlClaimsQuery,
  type DcqlCredentialQuery,
  type Envelope,
  type HolderSigner,
  type PresentationRequestResult,
} from "@certchain/sdk";
import { formatTime } from "../../../../display/time";
import { labelTextOf, type TypeInfo } from "../lib/claims-view";
import { breakableText } from "../lib/code-breaks";
import type { WebConfig } from "../lib/config";
import { verifyOptionsOf } from "../lib/config";
import { confirmDialog } from "../lib/confirm-dialog";
import { byId, fill, h, show } from "../lib/dom";
import { onLangChange, tr, type Text } from "../lib/i18n";
import { deviceKeyOf } from "./device-keys";
import { storedCertificates } from "./storage";
import { addUseRecord, renderUseRecords } from "./records";

const A = {
  reading: { "zh-CN": "正在读取请求…", en: "Reading the request…" },
  unreadable: { "zh-CN": "无法打开这个请求：", en: "This request cannot be opened: " },
  offline: { "zh-CN": "无法连接服务。请联网后重新打开链接。", en: "The service could not be reached. Connect to the internet and open the link again." },
  whoTitle: { "zh-CN": "谁在请求查看您的证照", en: "Who is asking to see your certificate" },
  verified: { "zh-CN": "✓ 已核实：这是区块链登记簿上的名称。", en: "✓ Verified: this is the name on the blockchain registry." },
  unverifiedTitle: { "zh-CN": "⚠ 未能核实是谁在请求", en: "⚠ Who is asking could not be verified" },
  unverified: { "zh-CN": "为了您的安全，不能向未核实的单位提供证照。", en: "For your safety, certificates cannot be given to someone who is not verified." },
  selfNamed: { "zh-CN": "它自称：", en: "It calls itself: " },
  whyTitle: { "zh-CN": "为什么要查看", en: "Why they ask" },
  noPurpose: { "zh-CN": "对方没有说明用途。", en: "They did not say why." },
  expires: { "zh-CN": "请求有效期至 ", en: "The request is open until " },
  fieldsTitle: { "zh-CN": "要查看哪些信息", en: "Which details they ask for" },
  required: { "zh-CN": "必须提供", en: "Required" },
  optional: { "zh-CN": "可以不提供", en: "You may leave out" },
  fromType: { "zh-CN": "来自：", en: "From: " },
  certTitle: { "zh-CN": "用哪一张证照", en: "Which certificate to use" },
  noMatch: {
    "zh-CN": "本机没有符合要求的证照（需要在本机领取、与本机绑定的证照）。您只能拒绝这个请求。",
    en: "No certificate on this device fits this request (it must be one collected on this device and bound to it). You can only decline.",
  },
  unsupported: { "zh-CN": "这个请求要求同时提供多张证照，本钱包暂不支持。您只能拒绝。", en: "This request asks for several certificates at once, which this wallet cannot do yet. You can only decline." },
  optionalTitle: { "zh-CN": "选择是否提供可选信息", en: "Choose the optional details" },
  optionalHint: { "zh-CN": "取消勾选的信息不会发送。必须提供的信息总会发送。", en: "Unticked details are not sent. Required details are always sent." },
  noOptional: { "zh-CN": "这个请求没有可选信息。下面是将要发送的全部信息。", en: "This request has no optional details. Below is everything that will be sent." },
  willSend: { "zh-CN": "将要发送：", en: "Will be sent: " },
  continue: { "zh-CN": "继续", en: "Continue" },
  consent: { "zh-CN": "同意并发送", en: "Agree and send" },
  decline: { "zh-CN": "拒绝", en: "Decline" },
  sending: { "zh-CN": "正在发送…", en: "Sending…" },
  sentTitle: { "zh-CN": "已发送", en: "Sent" },
  sent: { "zh-CN": "已把所选信息发送给 {name}。这次使用已记入下方的用证记录。", en: "The chosen details were sent to {name}. This use is kept in the records below." },
  notSent: { "zh-CN": "没有发送成功：", en: "Not sent: " },
  declineTitle: { "zh-CN": "拒绝这个请求？", en: "Decline this request?" },
  declineText: { "zh-CN": "对方将收到您拒绝的答复，不会看到任何证照信息。", en: "They will be told you declined, and will see nothing of your certificates." },
  declinedTitle: { "zh-CN": "已拒绝", en: "Declined" },
  declined: { "zh-CN": "您已拒绝。对方没有收到任何证照信息。", en: "You declined. They received nothing of your certificates." },
  closedTitle: { "zh-CN": "已关闭", en: "Closed" },
  closed: { "zh-CN": "没有发送任何信息。", en: "Nothing was sent." },
  back: { "zh-CN": "返回我的证照", en: "Back to my certificates" },
} satisfies Record<string, Text>;

/** A certificate on this device that can answer the query, with its device key. */
interface Usable {
  envelope: Envelope;
  candidate: DcqlCandidate;
  signer: HolderSigner;
  title: Text;
  number: string;
}

interface Answering {
  requestObject: string;
  checked: PresentationRequestResult;
  query: DcqlCredentialQuery | undefined;
  type: TypeInfo | null;
  usable: Usable[];
  chosen: number;
  kept: Set<string>;
}

/** Whether this page was opened with a request (an OpenID4VP link by reference). */
export const answerRequested = (): boolean => {
  const params = new URLSearchParams(location.search);
  return params.has("request_uri") && params.has("client_id");
};

/** The certificate files kept on this device (wallet/storage.ts). */
const storedEnvelopes = (): Envelope[] => storedCertificates().map((entry) => entry.envelope);

const typeInfoOf = (vct: unknown): TypeInfo | null => {
  const type = findTypeByVct(vct);
  return type ? ({ id: type.id, names: type.names, labels: type.claimLabels } as unknown as TypeInfo) : null;
};

const concrete = (claim: DcqlClaimsQuery) => claim.path.filter((segment): segment is string | number => segment !== null);
const labelOfClaim = (type: TypeInfo | null, claim: DcqlClaimsQuery): Text => labelTextOf(type, concrete(claim)) ?? { "zh-CN": concrete(claim).join("."), en: concrete(claim).join(".") };

/** The query's claims as required (in every claim set) and optional (in some only). */
function requestedClaims(query: DcqlCredentialQuery): { required: DcqlClaimsQuery[]; optional: DcqlClaimsQuery[] } {
  const claims = query.claims ?? [];
  if (!query.claim_sets) return { required: claims, optional: [] };
  const inAll = (claim: DcqlClaimsQuery) => query.claim_sets!.every((set) => set.includes(claim.id!));
  const inSome = (claim: DcqlClaimsQuery) => query.claim_sets!.some((set) => set.includes(claim.id!));
  return { required: claims.filter(inAll), optional: claims.filter((c) => !inAll(c) && inSome(c)) };
}

/** The holder-bound certificates on this device whose device key is here too, that answer the query. */
async function usableFor(query: DcqlCredentialQuery): Promise<Usable[]> {
  const envelopes = storedEnvelopes();
  const match = matchDcqlQuery({ credentials: [query] }, envelopes);
  const found: Usable[] = [];
  for (const candidate of match.credentials[query.id] ?? []) {
    const envelope = envelopes[candidate.credential];
    try {
      const { payload } = parseCredential(envelope.credential);
      const key = readHolderKey((payload.cnf as { jwk?: unknown } | undefined)?.jwk);
      if (!key.ok) continue;
      const device = await deviceKeyOf(key.key.thumbprint);
      if (!device) continue;
      const type = findTypeByVct(payload.vct);
      found.push({ envelope, candidate, signer: device.signer, title: type?.names ?? { "zh-CN": String(payload.vct), en: String(payload.vct) }, number: String(payload.certificate_number ?? "") });
    } catch {
      // not one this wallet can present
    }
  }
  return found;
}

/** Runs the answering flow in `#answer-section`; the rest of the page stays hidden until it ends. */
export async function startAnswer(config: Promise<WebConfig | undefined>): Promise<void> {
  document.body.dataset.mode = "answer";
  const section = byId("answer-section");
  show(section);
  const params = new URLSearchParams(location.search);
  const clientId = params.get("client_id")!;
  let requestObject: string;
  status(A.reading);
  try {
    const response = await fetch(params.get("request_uri")!, { headers: { accept: "application/oauth-authz-req+jwt" }, cache: "no-store", credentials: "omit" });
    requestObject = await response.text();
    if (!response.ok) {
      let message = requestObject;
      try {
        message = (JSON.parse(requestObject) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        // not our JSON error: the text itself
      }
      return finish("closed", `${tr(A.unreadable)}${message}`);
    }
  } catch {
    return finish("closed", tr(A.offline));
  }
  const options = verifyOptionsOf(await config);
  const checked = await verifyPresentationRequest(requestObject, { registries: options.registries ?? [], clientId });
  if (!checked.ok || !checked.request) return finish("closed", `${tr(A.unreadable)}${checked.message ?? ""}`);
  const query = parseDcqlQuery(checked.request.dcqlQuery);
  const single = query.credentials.length === 1 && !query.credential_sets ? query.credentials[0] : undefined;
  const state: Answering = {
    requestObject,
    checked,
    query: single,
    type: single ? typeInfoOf(single.meta.vct_values?.[0]) : null,
    usable: single ? await usableFor(single) : [],
    chosen: 0,
    kept: new Set(),
  };
  let screen: () => void = () => who(state);
  const go = (next: () => void) => {
    screen = next;
    next();
  };
  onLangChange(() => screen());

  function who(s: Answering) {
    const request = s.checked.request!;
    const name = s.checked.verified ? s.checked.verifier.agency!.name : (request.clientName ?? request.clientId);
    step(
      A.whoTitle,
      [
        h("p", { class: "asker", id: "asker" }, name),
        s.checked.verified
          ? h("p", { class: "asker__verified", "data-verified": "true" }, tr(A.verified))
          : h("div", { class: "error", "data-verified": "false" }, h("p", {}, h("strong", {}, tr(A.unverifiedTitle))), h("p", {}, tr(A.unverified)), s.checked.message ? h("p", {}, s.checked.message) : null),
        s.checked.verified && request.clientName && request.clientName !== name ? h("p", { class: "hint" }, tr(A.selfNamed), request.clientName) : null,
      ],
      s.checked.verified ? () => go(() => why(s)) : undefined,
    );
  }

  function why(s: Answering) {
    const request = s.checked.request!;
    step(
      A.whyTitle,
      [h("blockquote", { class: "purpose", id: "purpose" }, request.purpose ?? tr(A.noPurpose)), request.expiresAt ? h("p", { class: "hint" }, tr(A.expires), formatTime(request.expiresAt)) : null],
      () => go(() => fields(s)),
    );
  }

  function fields(s: Answering) {
    if (!s.query) return step(A.fieldsTitle, [h("p", { class: "error" }, tr(A.unsupported))]);
    const { required, optional } = requestedClaims(s.query);
    const list = (claims: DcqlClaimsQuery[], kind: "required" | "optional") =>
      claims.length === 0 ? null : h("div", {}, h("h3", {}, tr(A[kind])), h("ul", { class: "asked", id: `asked-${kind}` }, claims.map((claim) => h("li", { "data-claim": claim.id ?? "" }, tr(labelOfClaim(s.type, claim))))));
    step(A.fieldsTitle, [s.type ? h("p", { class: "hint" }, tr(A.fromType), tr(s.type.names)) : null, list(required, "required"), list(optional, "optional")], () => go(() => certificate(s)));
  }

  function certificate(s: Answering) {
    if (s.usable.length === 0) return step(A.certTitle, [h("p", { class: "error", id: "no-match" }, tr(A.noMatch))]);
    step(
      A.certTitle,
      [
        h(
          "fieldset",
          { class: "fields" },
          h("legend", { class: "file-input" }, tr(A.certTitle)),
          s.usable.map((usable, i) =>
            h(
              "div",
              { class: "field" },
              h("input", { type: "radio", name: "answer-certificate", id: `answer-certificate-${i}`, checked: i === s.chosen, onchange: () => (s.chosen = i) }),
              h("label", { for: `answer-certificate-${i}` }, h("span", { class: "field__value" }, tr(usable.title)), h("span", { class: "field__label answer__number" }, breakableText(usable.number))),
            ),
          ),
        ),
      ],
      () => {
        s.kept = new Set(s.usable[s.chosen].candidate.optional.map((claim) => claim.id!).filter(Boolean));
        go(() => optionalFields(s));
      },
    );
  }

  function optionalFields(s: Answering) {
    const { candidate } = s.usable[s.chosen];
    step(
      A.optionalTitle,
      [
        h("p", { class: "hint" }, tr(candidate.optional.length > 0 ? A.optionalHint : A.noOptional)),
        h(
          "fieldset",
          { class: "fields" },
          h("legend", {}, tr(A.willSend)),
          candidate.required.map((claim) =>
            h("div", { class: "field" }, h("input", { type: "checkbox", id: `send-${claim.id}`, checked: true, disabled: true }), h("label", { for: `send-${claim.id}` }, h("span", { class: "field__value" }, tr(labelOfClaim(s.type, claim))), h("span", { class: "field__label" }, tr(A.required)))),
          ),
          candidate.optional.map((claim) =>
            h(
              "div",
              { class: "field" },
              h("input", {
                type: "checkbox",
                id: `send-${claim.id}`,
                "data-optional": claim.id ?? "",
                checked: s.kept.has(claim.id!),
                onchange: (event: Event) => ((event.target as HTMLInputElement).checked ? s.kept.add(claim.id!) : s.kept.delete(claim.id!)),
              }),
              h("label", { for: `send-${claim.id}` }, h("span", { class: "field__value" }, tr(labelOfClaim(s.type, claim))), h("span", { class: "field__label" }, tr(A.optional))),
            ),
          ),
        ),
      ],
      () => void send(s),
      A.consent,
    );
  }

  async function send(s: Answering) {
    const request = s.checked.request!;
    const usable = s.usable[s.chosen];
    const buttons = [...byId("answer-step").querySelectorAll("button")];
    buttons.forEach((b) => (b.disabled = true));
    status(A.sending);
    try {
      const option = chooseClaimOption(usable.candidate, [...s.kept]);
      const presentation = await presentWithKeyBinding(usable.envelope, { disclose: option.disclose, nonce: request.nonce, audience: request.clientId, holderSigner: usable.signer });
      const vpToken = JSON.stringify({ [s.query!.id]: [presentation] });
      const form = new URLSearchParams({ state: request.state, vp_token: vpToken });
      // certchain's own extension: the anchor proof, so the department need not ask the issuer which certificate is used.
      if (usable.envelope.anchor.status === "anchored") {
        const { status: _status, ...proof } = usable.envelope.anchor;
        form.set("certchain_anchors", JSON.stringify([proof]));
      }
      const response = await fetch(request.responseUri, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form, credentials: "omit" });
      const body = (await response.json().catch(() => ({}))) as { error_description?: string };
      if (!response.ok) {
        status(A.notSent, body.error_description ?? `HTTP ${response.status}`);
        buttons.forEach((b) => (b.disabled = false));
        return;
      }
      const name = s.checked.verifier.agency?.name ?? request.clientName ?? request.clientId;
      addUseRecord({
        at: new Date().toISOString(),
        department: name,
        verified: s.checked.verified,
        purpose: request.purpose,
        certificate: usable.title,
        fields: option.claims.map((claim) => labelOfClaim(s.type, claim)),
        receipt: consentReceiptOf({ requestObject: s.requestObject, vpToken }),
        receiptService: new URL(request.responseUri).origin,
      });
      finish("sent", tr(A.sent).replace("{name}", name));
    } catch (error) {
      status(A.notSent, error instanceof Error ? error.message : String(error));
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  async function decline() {
    const ok = await confirmDialog({ title: tr(A.declineTitle), text: tr(A.declineText), confirm: tr(A.decline) });
    if (!ok) return;
    const request = state.checked.request!;
    try {
      await fetch(request.responseUri, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ state: request.state, error: "access_denied", error_description: "The holder declined." }),
        credentials: "omit",
      });
    } catch {
      // Unreachable: the request expires unanswered, which tells the department the same.
    }
    finish("declined", tr(A.declined));
  }

  /** One screen: a heading (focused, for screen readers), its content, Continue (when allowed) and Decline. */
  function step(title: Text, content: (Node | null)[], next?: () => void, nextLabel: Text = A.continue) {
    status(null);
    fill(byId("answer-title"), tr(title));
    fill(
      byId("answer-step"),
      ...content,
      h(
        "div",
        { class: "answer__actions" },
        next ? h("button", { type: "button", id: "answer-next", class: "button button--primary", onclick: next }, tr(nextLabel)) : null,
        h("button", { type: "button", id: "answer-decline", class: "button", onclick: () => void decline() }, tr(A.decline)),
      ),
    );
    byId("answer-title").focus();
  }

  go(screen);
}

function status(text: Text | null, detail = "") {
  fill(byId("answer-status"), text ? `${tr(text)}${detail}` : "");
}

const OUTCOME_TITLES = { sent: A.sentTitle, declined: A.declinedTitle, closed: A.closedTitle } as const;

/** The last screen: what happened, the records, and the way back to the wallet. */
function finish(outcome: keyof typeof OUTCOME_TITLES, text: string) {
  status(null);
  fill(byId("answer-title"), tr(OUTCOME_TITLES[outcome]));
  fill(
    byId("answer-step"),
    h("p", { class: "answer__done", id: "answer-done" }, text),
    h("a", { class: "button", href: "/wallet", id: "answer-back" }, tr(A.back)),
  );
  document.body.dataset.answer = outcome;
  document.body.dataset.mode = "answered";
  renderUseRecords();
  byId("answer-title").focus();
}
