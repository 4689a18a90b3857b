// 用证记录: every answer this wallet sent, kept in this browser (localStorage). Each record holds
// the consent receipt the wallet computed itself from the request object and the vp_token it
// sent (the department's result carries the same one), so the citizen can later fetch its proof
// and check, against the chain alone, that the department recorded that use.
import { consentReceiptLeaf, type ConsentReceipt, type Hex } from "@certchain/sdk";
import { formatTime } from "../../../../display/time";
import { h, fill, show, byId } from "../lib/dom";
import { tr, type Text } from "../lib/i18n";

/** One answer the citizen gave. */
export interface UseRecord {
  /** When it was sent (ISO). */
  at: string;
  /** Who asked: the registry's name when verified, else the name the request gave. */
  department: string;
  verified: boolean;
  purpose: string | null;
  /** The certificate's kind, in both languages. */
  certificate: Text;
  /** The labels of the fields sent, in both languages. */
  fields: Text[];
  receipt: ConsentReceipt;
  receiptLeaf: Hex;
  /** Where the receipt's proof can be fetched once the department anchored it (`GET …/v1/consent-receipts/<leaf>`). */
  receiptService: string;
}

const RECORDS_KEY = "certchain.wallet.records";
/** Old records beyond this many are dropped (the newest are kept). */
const MAX_RECORDS = 500;

const R = {
  fields: { "zh-CN": "提供的信息：", en: "Details given: " },
  verified: { "zh-CN": "（已核实）", en: " (verified)" },
  unverified: { "zh-CN": "（未核实）", en: " (not verified)" },
  receipt: { "zh-CN": "凭据编号：", en: "Receipt: " },
} satisfies Record<string, Text>;

export function useRecords(): UseRecord[] {
  try {
    const value = JSON.parse(localStorage.getItem(RECORDS_KEY) ?? "[]") as unknown;
    return Array.isArray(value) ? (value as UseRecord[]).filter((r) => typeof r?.at === "string" && typeof r.department === "string" && Array.isArray(r.fields)) : [];
  } catch {
    return [];
  }
}

/** Keeps a record of an answer (newest first). */
export function addUseRecord(record: Omit<UseRecord, "receiptLeaf">): UseRecord {
  const full: UseRecord = { ...record, receiptLeaf: consentReceiptLeaf(record.receipt) };
  try {
    localStorage.setItem(RECORDS_KEY, JSON.stringify([full, ...useRecords()].slice(0, MAX_RECORDS)));
  } catch {
    // storage full or disabled: the answer was sent all the same
  }
  return full;
}

/** Shows the records in `#records-section` (hidden when there are none). */
export function renderUseRecords(): void {
  const records = useRecords();
  const section = byId("records-section");
  show(section, records.length > 0);
  fill(
    byId("records"),
    records.map((record) =>
      h(
        "li",
        { class: "record", "data-receipt-leaf": record.receiptLeaf },
        h("p", { class: "record__title" }, record.department, tr(record.verified ? R.verified : R.unverified)),
        h("p", { class: "record__time" }, formatTime(record.at)),
        record.purpose ? h("p", { class: "record__purpose" }, record.purpose) : null,
        h("p", { class: "record__fields" }, tr(R.fields), `${tr(record.certificate)}: ${record.fields.map(tr).join(tr({ "zh-CN": "、", en: ", " }))}`),
        h("p", { class: "record__receipt" }, tr(R.receipt), h("span", { class: "record__leaf" }, record.receiptLeaf)),
      ),
    ),
  );
}
