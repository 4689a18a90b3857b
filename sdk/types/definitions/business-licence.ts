import { defineCertificateType } from "../define";
import { date, text, unifiedSocialCreditCode } from "../fragments";

/** 营业执照, issued by a market regulation bureau (市场监督管理局). */
export const businessLicence = defineCertificateType({
  id: "business-licence",
  vct: "urn:certchain:vct:business-licence:1",
  typeCode: "YYZZ",
  names: { "zh-CN": "营业执照", en: "Business licence" },
  claims: {
    company_name: { "zh-CN": "名称", en: "Company name" },
    unified_social_credit_code: { "zh-CN": "统一社会信用代码", en: "Unified social credit code" },
    company_type: { "zh-CN": "类型", en: "Company type" },
    legal_representative: { "zh-CN": "法定代表人", en: "Legal representative" },
    registered_capital: { "zh-CN": "注册资本", en: "Registered capital" },
    date_of_establishment: { "zh-CN": "成立日期", en: "Date of establishment" },
    business_term_end: { "zh-CN": "营业期限至", en: "Business term until" },
    business_scope: { "zh-CN": "经营范围", en: "Business scope" },
    domicile: { "zh-CN": "住所", en: "Domicile" },
    registration_authority: { "zh-CN": "登记机关", en: "Registration authority" },
    registration_date: { "zh-CN": "登记日期", en: "Registration date" },
  },
  schema: {
    type: "object",
    properties: {
      company_name: text(128),
      unified_social_credit_code: unifiedSocialCreditCode,
      company_type: text(64),
      legal_representative: text(64),
      // As printed (amount and currency in words or figures), not a number: foreign-currency
      // and 认缴 wording vary and must be shown exactly.
      registered_capital: text(64),
      date_of_establishment: date,
      // 长期 ("long-term") is how an unlimited term is printed.
      business_term_end: { type: "string", anyOf: [{ format: "date" }, { const: "长期" }] },
      business_scope: text(4000),
      domicile: text(256),
      registration_authority: text(128),
      registration_date: date,
    },
    required: [
      "company_name", "unified_social_credit_code", "company_type", "legal_representative",
      "date_of_establishment", "business_scope", "domicile", "registration_authority", "registration_date",
    ],
    additionalProperties: false,
    examples: [
      {
        company_name: "上海青禾数字科技有限公司",
        unified_social_credit_code: "91310115MA1H7Q2K3R",
        company_type: "有限责任公司（自然人投资或控股）",
        legal_representative: "陈嘉树",
        registered_capital: "人民币500万元整",
        date_of_establishment: "2018-06-21",
        business_term_end: "长期",
        business_scope:
          "一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发；信息系统集成服务。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）",
        domicile: "上海市浦东新区青禾路88号3幢501室",
        registration_authority: "上海市浦东新区市场监督管理局",
        registration_date: "2023-09-14",
      },
    ],
  },
});
