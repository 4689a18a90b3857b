import { defineCertificateType } from "../define";
import { date, gender, idNumber, nationality, object, personName, text } from "../fragments";

const spouse = object({ name: personName, gender, date_of_birth: date, id_number: idNumber, nationality });

/** 结婚证, issued by a civil affairs bureau (民政局); each spouse holds one. */
export const marriageCertificate = defineCertificateType({
  id: "marriage-certificate",
  vct: "urn:certchain:vct:marriage-certificate:1",
  typeCode: "JHZS",
  names: { "zh-CN": "结婚证", en: "Marriage certificate" },
  claims: {
    holder_name: { "zh-CN": "持证人", en: "Holder" },
    registration_date: { "zh-CN": "登记日期", en: "Registration date" },
    spouses: { "zh-CN": "双方当事人", en: "Spouses" },
    registration_authority: { "zh-CN": "登记机关", en: "Registration authority" },
    notes: { "zh-CN": "备注", en: "Notes" },
  },
  schema: {
    type: "object",
    properties: {
      holder_name: personName,
      registration_date: date,
      spouses: { type: "array", items: spouse, minItems: 2, maxItems: 2 },
      registration_authority: text(128),
      notes: text(512),
    },
    required: ["holder_name", "registration_date", "spouses", "registration_authority"],
    additionalProperties: false,
    examples: [
      {
        holder_name: "林晓雯",
        registration_date: "2024-05-20",
        spouses: [
          { name: "周立恒", gender: "男", date_of_birth: "1993-02-11", id_number: "330106199302113571", nationality: "中国" },
          { name: "林晓雯", gender: "女", date_of_birth: "1995-10-08", id_number: "350102199510082624", nationality: "中国" },
        ],
        registration_authority: "杭州市西湖区民政局",
        notes: "无",
      },
    ],
  },
});
