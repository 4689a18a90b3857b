// Collecting a certificate into this wallet (领证) with OpenID4VCI 1.0, pre-authorized code flow.
// The clerk's link opens /wallet#credential_offer_uri=… (or the holder pastes it, or an
// openid-credential-offer:// URL). The wallet reads the offer and the issuer's metadata, shows
// who offers what (the agency's name as the registry on the chain has it), asks for the PIN when
// the offer has one, then: token → a new device key (device-keys.ts) → c_nonce → credential
// request with a key proof. The credential comes back bound to the device key (`cnf.jwk`) and
// pending; it is kept like any certificate file, and its proof is fetched once anchored.
// Only this page's own service is reached (the pages' CSP: connect-src 'self').
import {
  agencyIdOf,
  agencySlugOf,
  createKeyProof,
  createPendingEnvelope,
  createRegistryReader,
  findTypeByVct,
  parseCredential,
  readHolderKey,
  type Envelope,
} from "@certchain/sdk";
import { byId, fill, h, show } from "../lib/dom";
import { onLangChange, tr, type Text } from "../lib/i18n";
import { verifyOptionsOf, type WebConfig } from "../lib/config";
import { createDeviceKey, deleteDeviceKey } from "./device-keys";
import { remember } from "./storage";

const PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code";

const C = {
  offered: { "zh-CN": "{agency}向您发放一张电子证照", en: "{agency} is giving you an e-certificate" },
  agency: { "zh-CN": "发证机关", en: "Issuing agency" },
  kind: { "zh-CN": "证照类型", en: "Certificate" },
  verifiedName: { "zh-CN": "✓ 已在区块链登记簿上核实", en: "✓ Checked on the blockchain registry" },
  unverifiedName: { "zh-CN": "⚠ 暂时无法在区块链登记簿上核实这个名称", en: "⚠ This name could not be checked on the blockchain registry just now" },
  explain: {
    "zh-CN": "收取后，证照保存在本机浏览器里，并与本机绑定：只有本机能向其他单位出示它。",
    en: "Once collected, the certificate is kept in this browser and bound to this device: only this device can show it to others.",
  },
  pin: { "zh-CN": "取证码（发证机关另行告诉您的 {n} 位数字）", en: "PIN (the {n}-digit number the agency gave you separately)" },
  pinMissing: { "zh-CN": "请输入 {n} 位数字的取证码。", en: "Enter the {n}-digit PIN." },
  collect: { "zh-CN": "收取到本机", en: "Collect to this device" },
  decline: { "zh-CN": "不收取", en: "Not now" },
  declined: { "zh-CN": "没有收取。链接仍可在有效期内使用。", en: "Not collected. The link still works until it expires." },
  reading: { "zh-CN": "正在读取收证链接…", en: "Reading the collecting link…" },
  working: { "zh-CN": "正在收取证照，请稍候…", en: "Collecting the certificate, please wait…" },
  collected: {
    "zh-CN": "已收取，证照已保存在本机。刚收取的证照要等记录到区块链上（通常几秒钟）才能分享或打印。",
    en: "Collected and kept on this device. A newly collected certificate can be shared or printed once it is recorded on the blockchain (usually within seconds).",
  },
  pinWrong: {
    "zh-CN": "取证码不正确，请核对后重试。连续输错 5 次，这个链接将被锁定。",
    en: "The PIN is wrong; check it and try again. After 5 wrong tries the link is locked.",
  },
  locked: {
    "zh-CN": "取证码输错次数太多，这个收证链接已被锁定。请向发证机关重新索取。",
    en: "Too many wrong PINs: this collecting link is locked. Ask the issuing agency for a new one.",
  },
  gone: {
    "zh-CN": "这个收证链接已经失效（已使用、已过期或已锁定）。请向发证机关重新索取。",
    en: "This collecting link no longer works (used, expired or locked). Ask the issuing agency for a new one.",
  },
  notOffer: { "zh-CN": "这不是收证链接。请检查后重新粘贴。", en: "This is not a collecting link. Check it and paste it again." },
  otherService: {
    "zh-CN": "这个收证链接来自另一个服务，本页只能从本服务收取。请用该服务的钱包打开。",
    en: "This collecting link is from another service; this page collects from its own service only. Open it with that service's wallet.",
  },
  offline: { "zh-CN": "无法连接服务，没有收取。请联网后重试。", en: "The service could not be reached; nothing was collected. Connect to the internet and try again." },
  refused: { "zh-CN": "发证机关没有发放证照：", en: "The agency did not issue the certificate: " },
  retry: { "zh-CN": "重试", en: "Try again" },
  unknownAgency: { "zh-CN": "未知机关", en: "Unknown agency" },
} satisfies Record<string, Text>;

/** What a collecting link names: the offer by reference (a URL on this service) or by value. */
type OfferReference = { uri: string } | { value: unknown };

/**
 * The offer a pasted text or a URL fragment names: `openid-credential-offer://?credential_offer_uri=…`
 * (or `credential_offer=…`), this wallet's link `…/wallet#credential_offer_uri=…`, or the
 * fragment alone.
 */
export function offerReferenceOf(text: string): OfferReference | undefined {
  const trimmed = text.trim();
  const query = trimmed.startsWith("#") ? trimmed.slice(1) : /^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? (() => {
    try {
      const url = new URL(trimmed);
      return url.hash.length > 1 ? url.hash.slice(1) : url.search.slice(1);
    } catch {
      return "";
    }
  })() : trimmed;
  const params = new URLSearchParams(query);
  const uri = params.get("credential_offer_uri");
  if (uri) return { uri };
  const value = params.get("credential_offer");
  if (value) {
    try {
      return { value: JSON.parse(value) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

interface Offer {
  credentialIssuer: string;
  configurationId: string;
  code: string;
  pinLength?: number;
}

interface Resolved {
  offer: Offer;
  /** The credential issuer's metadata endpoints. */
  credentialEndpoint: string;
  nonceEndpoint: string;
  tokenEndpoint: string;
  typeName: Text;
  agencyName: string;
  /** The agency's name was read from the registry on the chain. */
  nameVerified: boolean;
}

class CollectFailure extends Error {
  constructor(
    readonly text: Text,
    readonly detail?: string,
    /** The offer can be tried again as it is (a wrong PIN, a lost connection). */
    readonly retry = false,
  ) {
    super(text.en);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A URL of this page's own service (the only one the page may reach), or undefined. */
function ownUrl(text: unknown): URL | undefined {
  if (typeof text !== "string") return undefined;
  try {
    const url = new URL(text);
    return url.origin === location.origin ? url : undefined;
  } catch {
    return undefined;
  }
}

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, cache: "no-store", headers: { accept: "application/json", ...(init?.headers ?? {}) } });
  } catch {
    throw new CollectFailure(C.offline, undefined, true);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}

function offerOf(value: unknown): Offer {
  const grant = isObject(value) && isObject(value.grants) ? value.grants[PRE_AUTHORIZED_GRANT] : undefined;
  const ids = isObject(value) ? value.credential_configuration_ids : undefined;
  if (!isObject(value) || typeof value.credential_issuer !== "string" || !Array.isArray(ids) || typeof ids[0] !== "string" || !isObject(grant) || typeof grant["pre-authorized_code"] !== "string") {
    throw new CollectFailure(C.notOffer);
  }
  const pin = isObject(grant.tx_code) ? grant.tx_code : undefined;
  const length = pin && typeof pin.length === "number" && Number.isInteger(pin.length) && pin.length > 0 && pin.length <= 12 ? pin.length : pin ? 6 : undefined;
  return { credentialIssuer: value.credential_issuer, configurationId: ids[0], code: grant["pre-authorized_code"], ...(length ? { pinLength: length } : {}) };
}

/** `<origin>/.well-known/<name><path>`: the well-known segment between host and path (RFC 8414 §3.1, OpenID4VCI §12.2.2). */
const wellKnown = (identifier: URL, name: string) => `${identifier.origin}/.well-known/${name}${identifier.pathname.replace(/\/+$/, "")}`;

/** The agency's registered name, read from the registry on the chain (undefined when it cannot be read). */
async function registeredName(config: WebConfig | undefined, slug: string | undefined): Promise<string | undefined> {
  const registry = verifyOptionsOf(config).registries[0];
  if (!registry || !slug) return undefined;
  try {
    const agencies = await createRegistryReader(registry).agencies({ timeoutMs: 10_000 });
    const found = agencies.find((a) => a.id.toLowerCase() === agencyIdOf(slug).toLowerCase() && a.registered);
    return found?.name || undefined;
  } catch {
    return undefined;
  }
}

/** Reads the offer and what the wallet needs to redeem it (issuer and authorization server metadata). */
async function resolve(reference: OfferReference, config: WebConfig | undefined): Promise<Resolved> {
  let value: unknown;
  if ("uri" in reference) {
    const url = ownUrl(reference.uri);
    if (!url) throw new CollectFailure(C.otherService);
    const { status, body } = await getJson(url.href);
    if (status === 404 || status === 410) throw new CollectFailure(C.gone);
    if (status !== 200) throw new CollectFailure(C.notOffer, `HTTP ${status}`);
    value = body;
  } else value = reference.value;
  const offer = offerOf(value);
  const issuer = ownUrl(offer.credentialIssuer);
  if (!issuer) throw new CollectFailure(C.otherService);

  const metadata = (await getJson(wellKnown(issuer, "openid-credential-issuer"))).body;
  const configuration = isObject(metadata) && isObject(metadata.credential_configurations_supported) ? metadata.credential_configurations_supported[offer.configurationId] : undefined;
  if (!isObject(metadata) || metadata.credential_issuer !== offer.credentialIssuer || !isObject(configuration)) throw new CollectFailure(C.notOffer, "issuer metadata");
  // The issuer is its own authorization server unless it names one.
  const server = Array.isArray(metadata.authorization_servers) && typeof metadata.authorization_servers[0] === "string" ? ownUrl(metadata.authorization_servers[0]) : issuer;
  if (!server) throw new CollectFailure(C.otherService);
  const authorization = (await getJson(wellKnown(server, "oauth-authorization-server"))).body;
  const endpoints = [metadata.credential_endpoint, metadata.nonce_endpoint, isObject(authorization) ? authorization.token_endpoint : undefined].map(ownUrl);
  if (endpoints.some((e) => e === undefined)) throw new CollectFailure(C.notOffer, "endpoints");
  const [credentialEndpoint, nonceEndpoint, tokenEndpoint] = endpoints.map((e) => e!.href);

  const displays = isObject(configuration.credential_metadata) && Array.isArray(configuration.credential_metadata.display) ? configuration.credential_metadata.display.filter(isObject) : [];
  const displayName = (locale: string) => displays.find((d) => d.locale === locale && typeof d.name === "string")?.name as string | undefined;
  const bundled = typeof configuration.vct === "string" ? findTypeByVct(configuration.vct) : undefined;
  const typeName: Text = {
    "zh-CN": displayName("zh-CN") ?? bundled?.names["zh-CN"] ?? offer.configurationId,
    en: displayName("en") ?? bundled?.names.en ?? offer.configurationId,
  };
  const onChain = await registeredName(config, agencySlugOf(offer.credentialIssuer));
  const shown = Array.isArray(metadata.display) ? metadata.display.filter(isObject).find((d) => typeof d.name === "string")?.name : undefined;
  return {
    offer,
    credentialEndpoint,
    nonceEndpoint,
    tokenEndpoint,
    typeName,
    agencyName: onChain ?? (typeof shown === "string" ? shown : ""),
    nameVerified: onChain !== undefined,
  };
}

/** An OAuth error reply's certchain code and description. */
const oauthErrorOf = (body: unknown) => ({
  code: isObject(body) && typeof body.certchain_code === "string" ? body.certchain_code : isObject(body) && typeof body.error === "string" ? body.error : "",
  description: isObject(body) && typeof body.error_description === "string" ? body.error_description : "",
});

/** Token → device key → c_nonce → credential (OpenID4VCI 1.0 §6, §7, §8), then kept here as a pending certificate file. */
async function redeem(resolved: Resolved, pin: string | undefined, config: WebConfig | undefined): Promise<Envelope> {
  const form = new URLSearchParams({ grant_type: PRE_AUTHORIZED_GRANT, "pre-authorized_code": resolved.offer.code });
  if (pin !== undefined) form.set("tx_code", pin);
  const token = await getJson(resolved.tokenEndpoint, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() });
  if (token.status !== 200 || !isObject(token.body) || typeof token.body.access_token !== "string") {
    const { code, description } = oauthErrorOf(token.body);
    if (code === "TX_CODE_WRONG") throw new CollectFailure(C.pinWrong, undefined, true);
    if (code === "TX_CODE_LOCKED") throw new CollectFailure(C.locked);
    if (code === "PRE_AUTHORIZED_CODE_INVALID") throw new CollectFailure(C.gone);
    throw new CollectFailure(C.refused, description || `HTTP ${token.status}`, token.status >= 500 || token.status === 429);
  }
  const accessToken = token.body.access_token;

  const key = await createDeviceKey();
  try {
    const nonce = await getJson(resolved.nonceEndpoint, { method: "POST" });
    if (nonce.status !== 200 || !isObject(nonce.body) || typeof nonce.body.c_nonce !== "string") throw new CollectFailure(C.refused, oauthErrorOf(nonce.body).description || `HTTP ${nonce.status}`);
    const proof = await createKeyProof({ credentialIssuer: resolved.offer.credentialIssuer, nonce: nonce.body.c_nonce, holderSigner: key.signer });
    const reply = await getJson(resolved.credentialEndpoint, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ credential_configuration_id: resolved.offer.configurationId, proofs: { jwt: [proof] } }),
    });
    const first = isObject(reply.body) && Array.isArray(reply.body.credentials) ? reply.body.credentials[0] : undefined;
    if (reply.status !== 200 || !isObject(first) || typeof first.credential !== "string") throw new CollectFailure(C.refused, oauthErrorOf(reply.body).description || `HTTP ${reply.status}`);
    const credential = first.credential;
    // What came back must be bound to the key made here, by the issuer the offer named.
    const payload = parseCredential(credential).payload;
    const cnf = payload.cnf;
    const bound = readHolderKey(isObject(cnf) ? cnf.jwk : undefined);
    if (!bound.ok || bound.key.thumbprint !== key.thumbprint || payload.iss !== resolved.offer.credentialIssuer) throw new CollectFailure(C.refused, "the credential is not bound to this device's key");
    const envelope = createPendingEnvelope(credential, config?.chainId ?? 0, config?.address ?? "0x0000000000000000000000000000000000000000", location.origin);
    remember(envelope);
    return envelope;
  } catch (error) {
    // No credential is bound to this key: it is of no use. (A lost reply keeps it: not knowable here.)
    if (error instanceof CollectFailure && error.text !== C.offline) await deleteDeviceKey(key.thumbprint).catch(() => undefined);
    throw error;
  }
}

type Screen =
  | { kind: "reading" }
  | { kind: "offer"; resolved: Resolved; problem?: CollectFailure }
  | { kind: "working" }
  | { kind: "failed"; problem: CollectFailure; reference: OfferReference };

export interface CollectOptions {
  config: Promise<WebConfig | undefined>;
  /** Shows a collected certificate (the wallet opens it as it opens a file). */
  opened(envelope: Envelope): Promise<void>;
}

/**
 * The collecting flow: opened from the page's fragment on load, or from the link the holder
 * pastes. While it is on screen the rest of the wallet steps aside (one decision per screen).
 */
export function initCollect(options: CollectOptions): void {
  const section = byId("collect-section");
  const body = byId("collect-body");
  let screen: Screen | undefined;
  /** The offer on screen, as the link named it (for starting over). */
  let pending: OfferReference = { value: undefined };

  const problemText = (problem: CollectFailure) => [tr(problem.text), problem.detail ? ` ${problem.detail}` : ""].join("");

  function leave(message?: Text) {
    screen = undefined;
    document.body.dataset.collect = "closed";
    show(section, false);
    // The offer is spent or refused: a reload must not open it again.
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
    if (message) fill(byId("offer-status"), tr(message));
  }

  function render() {
    if (!screen) return;
    show(section);
    document.body.dataset.collect = screen.kind;
    if (screen.kind === "reading" || screen.kind === "working") {
      fill(body, h("p", { class: "status", role: "status" }, tr(screen.kind === "reading" ? C.reading : C.working)));
      return;
    }
    if (screen.kind === "failed") {
      const { problem, reference } = screen;
      fill(
        body,
        h("p", { class: "error", role: "alert", id: "collect-error" }, problemText(problem)),
        problem.retry ? h("button", { type: "button", class: "button button--primary", id: "collect-retry", onclick: () => void start(reference) }, tr(C.retry)) : null,
        h("button", { type: "button", class: "button", id: "collect-close", onclick: () => leave() }, tr(C.decline)),
      );
      return;
    }
    const { resolved, problem } = screen;
    const agency = resolved.agencyName || tr(C.unknownAgency);
    const pinLength = resolved.offer.pinLength;
    const pinInput = pinLength
      ? h("input", { type: "text", id: "collect-pin", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]*", maxlength: pinLength, required: true, "aria-describedby": problem ? "collect-error" : null })
      : null;
    fill(
      body,
      h("p", { class: "collect__lead", id: "collect-lead" }, tr(C.offered).replace("{agency}", agency)),
      h(
        "dl",
        { class: "facts collect__facts" },
        h("dt", {}, tr(C.kind)),
        h("dd", { id: "collect-type" }, tr(resolved.typeName)),
        h("dt", {}, tr(C.agency)),
        h("dd", { id: "collect-agency", "data-verified": String(resolved.nameVerified) }, agency, h("br"), h("span", { class: resolved.nameVerified ? "collect__verified" : "collect__unverified" }, tr(resolved.nameVerified ? C.verifiedName : C.unverifiedName))),
      ),
      h("p", { class: "hint" }, tr(C.explain)),
      h(
        "form",
        { id: "collect-form", novalidate: true, onsubmit: (event: Event) => {
          event.preventDefault();
          void collect(resolved);
        } },
        pinInput ? h("div", { class: "control" }, h("label", { for: "collect-pin" }, tr(C.pin).replace("{n}", String(pinLength))), pinInput) : null,
        problem ? h("p", { class: "error", role: "alert", id: "collect-error" }, problemText(problem)) : null,
        h("button", { type: "submit", class: "button button--primary", id: "collect-go" }, tr(C.collect)),
        h("button", { type: "button", class: "button", id: "collect-decline", onclick: () => leave(C.declined) }, tr(C.decline)),
      ),
    );
  }

  async function collect(resolved: Resolved) {
    let pin: string | undefined;
    if (resolved.offer.pinLength) {
      pin = byId<HTMLInputElement>("collect-pin").value.trim();
      if (!new RegExp(`^[0-9]{${resolved.offer.pinLength}}$`).test(pin)) {
        const n = String(resolved.offer.pinLength);
        screen = { kind: "offer", resolved, problem: new CollectFailure({ "zh-CN": C.pinMissing["zh-CN"].replace("{n}", n), en: C.pinMissing.en.replace("{n}", n) }, undefined, true) };
        render();
        byId("collect-pin").focus();
        return;
      }
    }
    screen = { kind: "working" };
    render();
    try {
      const envelope = await redeem(resolved, pin, await options.config);
      leave();
      fill(byId("offer-status"), tr(C.collected));
      document.body.dataset.collect = "collected";
      await options.opened(envelope);
    } catch (error) {
      const problem = error instanceof CollectFailure ? error : new CollectFailure(C.refused, error instanceof Error ? error.message : String(error));
      // A wrong PIN: the same offer, asked again. Anything else ends here (or starts over, when it may).
      screen = problem.text === C.pinWrong ? { kind: "offer", resolved, problem } : { kind: "failed", problem, reference: pending };
      render();
      (document.getElementById("collect-pin") ?? document.getElementById("collect-error"))?.focus();
    }
  }

  async function start(reference: OfferReference) {
    pending = reference;
    screen = { kind: "reading" };
    fill(byId("offer-status"));
    render();
    section.scrollIntoView({ block: "start" });
    try {
      screen = { kind: "offer", resolved: await resolve(reference, await options.config) };
    } catch (error) {
      const problem = error instanceof CollectFailure ? error : new CollectFailure(C.notOffer, error instanceof Error ? error.message : String(error));
      screen = { kind: "failed", problem, reference };
    }
    render();
    byId("collect-title").focus();
  }

  onLangChange(() => render());

  const form = byId<HTMLFormElement>("offer-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const reference = offerReferenceOf(byId<HTMLInputElement>("offer-url").value);
    if (!reference) {
      fill(byId("offer-status"), tr(C.notOffer));
      return;
    }
    byId<HTMLInputElement>("offer-url").value = "";
    void start(reference);
  });

  // A link opened while the wallet is open changes only the fragment.
  const fromFragment = () => (location.hash.length > 1 ? offerReferenceOf(location.hash) : undefined);
  window.addEventListener("hashchange", () => {
    const reference = fromFragment();
    if (reference) void start(reference);
  });
  const opened = fromFragment();
  if (opened) void start(opened);
  else document.body.dataset.collect = "closed";
}
