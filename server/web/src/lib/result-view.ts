import { type ShareVerificationResult, type ShareCode, statusReasonLabel, type VerificationResult, type Verdict } from "@certchain/sdk";
import { claimList, labelOf, withheldLabel } from "./claims-view";
import { breakableText } from "./code-breaks";
import { fill, h } from "./dom";
import { formatDate, formatTime } from "../../../../display/time";
import { lang, tr } from "./i18n";
import { T, TAMPERED_CODES, VALID_EXPLANATION, VERDICT_SYMBOLS } from "./messages";
import { reasonText, SHARE_FAILURES, VERDICT_LABELS } from "../../../../display/verdict-texts";

export type AnyResult = VerificationResult | ShareVerificationResult;

const isShareFailure = (result: AnyResult): result is ShareVerificationResult & { reason: { check: "share"; code: ShareCode } } =>
  (result.reason as { check: string } | null)?.check === "share";

/** The big block: the verdict as a word (and a symbol), and why, in plain words. */
export function verdictBlock(result: AnyResult): HTMLElement {
  let verdict: Verdict = result.verdict;
  let title: string;
  let text: string;
  if (isShareFailure(result)) {
    const failure = SHARE_FAILURES[result.reason.code];
    title = tr(failure.title);
    text = tr(failure.text);
    verdict = result.verdict;
  } else {
    title = tr(VERDICT_LABELS[verdict]);
    text = result.reason ? tr(reasonText(result.reason.code) ?? { "zh-CN": result.reason.message, en: result.reason.message }) : tr(VALID_EXPLANATION);
  }
  const extra: string[] = [];
  if ((verdict === "revoked" || verdict === "suspended") && result.status) {
    const colon = lang() === "en" ? ": " : "：";
    extra.push(`${tr(T.statusReason)}${colon}${statusReasonLabel(result.status.reason, lang())}`);
    if (result.status.since) extra.push(`${tr(T.statusSince)}${colon}${formatTime(result.status.since)}`);
  }
  return h(
    "section",
    { class: `verdict verdict--${verdict}`, "data-verdict": verdict, "data-reason": result.reason?.code ?? "", "aria-labelledby": "verdict-title" },
    h("p", { class: "verdict__caption" }, tr(T.verdictHeading)),
    h("h2", { class: "verdict__title", id: "verdict-title" }, h("span", { class: "verdict__symbol", "aria-hidden": "true" }, VERDICT_SYMBOLS[verdict]), " ", h("span", { class: "verdict__word" }, title)),
    h("p", { class: "verdict__reason" }, text),
    extra.length > 0 ? h("p", { class: "verdict__status" }, extra.join(lang() === "en" ? ". " : "。")) : null,
  );
}

const fact = (label: string, value: string | Node, attrs: Record<string, string> = {}) => [h("dt", {}, label), h("dd", attrs, value)];

/** "2026年11月22日 至 2031年11月21日", "自 2026年11月22日起长期有效", "from … until …". */
function validityText(from: string | null, until: string | null): string {
  const en = lang() === "en";
  if (from && until) return en ? `${formatDate(from)} to ${formatDate(until)}` : `${formatDate(from)} 至 ${formatDate(until)}`;
  if (until) return en ? `until ${formatDate(until)}` : `至 ${formatDate(until)}`;
  if (from) return en ? `from ${formatDate(from)}, no end date` : `自 ${formatDate(from)} 起长期有效`;
  return en ? "no end date" : "长期有效";
}

/** Type name, issuing agency, number, times and registry. */
export function certificateFacts(result: AnyResult, fallbackIssuer?: string): HTMLElement {
  const certificate = result.certificate!;
  const facts: HTMLElement[] = [];
  const issuer = result.issuer?.name ?? (fallbackIssuer ? `${fallbackIssuer} ${tr(T.issuerUnconfirmed)}` : "—");
  facts.push(...fact(tr(T.issuer), issuer, { class: "fact-issuer" }));
  facts.push(...fact(tr(T.number), breakableText(certificate.number), { class: "fact-number" }));
  if (result.anchoredAt) facts.push(...fact(tr(T.anchoredAt), formatTime(result.anchoredAt), { class: "fact-anchored" }));
  else if (certificate.issuedAt) facts.push(...fact(tr(T.issuedAt), formatTime(certificate.issuedAt)));
  facts.push(...fact(tr(T.validity), validityText(certificate.validFrom ?? certificate.issuedAt, certificate.validUntil)));
  if (result.registry) facts.push(...fact(tr(T.registry), result.registry.name));
  return h("dl", { class: "facts" }, facts);
}

/** The certificate type's name, in the current language (the other one below it). */
export function typeHeading(result: AnyResult, level: "h2" | "h3" = "h2"): HTMLElement {
  const type = result.certificate?.type;
  const main = type ? type.names[lang()] : tr(T.unknownType);
  const other = type ? type.names[lang() === "en" ? "zh-CN" : "en"] : "";
  return h(level, { class: "cert__type" }, main, other ? h("span", { class: "cert__type-other", lang: lang() === "en" ? "zh-CN" : "en" }, other) : null);
}

/**
 * A verifier's view of a result: verdict, then the certificate, the revealed fields with their
 * labels and the withheld ones by name. Used by /s/<id> and /verify.
 */
export function renderResult(container: HTMLElement, result: AnyResult, options: { paper?: boolean } = {}) {
  const parts: (HTMLElement | null)[] = [verdictBlock(result)];
  // From a printout's QR code: the values below are what counts, not the printed text.
  if (options.paper && result.certificate) parts.push(h("p", { class: "note paper-note", "data-testid": "paper-note" }, tr(T.paperAttests)));
  if (result.certificate) {
    // Labels come from the type's metadata, which the SDK resolved (bundled, or checked against the registry).
    const type = result.certificate.type;
    const revealed = Object.keys(result.claims);
    const tampered = TAMPERED_CODES.has(result.reason?.code ?? "");
    parts.push(
      h(
        "section",
        { class: "cert", "aria-labelledby": "cert-type" },
        Object.assign(typeHeading(result), { id: "cert-type" }),
        certificateFacts(result),
        h("h3", {}, tr(T.revealed)),
        tampered
          ? h("p", { class: "note tampered", "data-testid": "tampered" }, tr(T.tampered))
          : revealed.length > 0
          ? claimList(type, [], result.claims)
          : h("p", { class: "note" }, tr(T.noneRevealed)),
        !tampered && (result.withheld.length > 0 || (result.withheldClaims?.length ?? 0) > 0)
          ? h(
              "div",
              { class: "withheld" },
              h("h3", {}, tr(T.withheld)),
              h("p", { class: "note" }, tr(T.withheldNote)),
              h(
                "ul",
                { class: "withheld__list", "data-testid": "withheld" },
                result.withheld.map((name) => h("li", { "data-claim": name }, labelOf(type, [name]))),
                (result.withheldClaims ?? []).map((entry) => h("li", { "data-claim": entry.path.map((s) => (s === null ? "*" : s)).join(".") }, withheldLabel(type, entry))),
              ),
            )
          : null,
      ),
    );
  }
  const share = (result as ShareVerificationResult).share;
  if (share?.expiresAt && !isShareFailure(result)) parts.push(h("p", { class: "note link-expiry" }, `${tr(T.linkExpires)} ${formatTime(share.expiresAt)}`));
  fill(container, ...parts);
}

/** A waiting state, so the page is never blank. */
export function renderChecking(container: HTMLElement) {
  fill(container, h("p", { class: "checking", role: "status" }, tr(T.checking)));
}

/** The last resort: something threw; say so in words instead of leaving a blank page. */
export function renderUnexpected(container: HTMLElement) {
  fill(
    container,
    h(
      "section",
      { class: "verdict verdict--unverifiable", "data-verdict": "error", role: "alert" },
      h("h2", { class: "verdict__title" }, h("span", { class: "verdict__symbol", "aria-hidden": "true" }, "!"), " ", tr(VERDICT_LABELS.unverifiable)),
      h("p", { class: "verdict__reason" }, tr(T.unexpected)),
    ),
  );
}
