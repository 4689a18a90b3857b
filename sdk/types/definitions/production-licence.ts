import { defineCertificateType } from "../define";
import { date, text, unifiedSocialCreditCode } from "../fragments";

/** 工业产品生产许可证, issued by a provincial market regulation administration. */
export const productionLicence = defineCertificateType({
  id: "production-licence",
  vct: "urn:certchain:vct:production-licence:1",
  typeCode: "SCXK",
  names: { "zh-CN": "工业产品生产许可证", en: "Industrial product production licence" },
  claims: {
    enterprise_name: { "zh-CN": "企业名称", en: "Enterprise name" },
    unified_social_credit_code: { "zh-CN": "统一社会信用代码", en: "Unified social credit code" },
    domicile: { "zh-CN": "住所", en: "Domicile" },
    production_address: { "zh-CN": "生产地址", en: "Production address" },
    product_name: { "zh-CN": "产品名称", en: "Product name" },
    licence_inspection_scope: { "zh-CN": "许可检验范围", en: "Licence inspection scope" },
    issue_date: { "zh-CN": "发证日期", en: "Date of issue" },
    valid_until: { "zh-CN": "有效期至", en: "Valid until" },
  },
  schema: {
    type: "object",
    properties: {
      enterprise_name: text(128),
      unified_social_credit_code: unifiedSocialCreditCode,
      domicile: text(256),
      production_address: text(256),
      product_name: text(128),
      licence_inspection_scope: text(2000),
      issue_date: date,
      valid_until: date,
    },
    required: ["enterprise_name", "unified_social_credit_code", "production_address", "product_name", "issue_date", "valid_until"],
    additionalProperties: false,
    examples: [
      {
        enterprise_name: "浙江恒固电线电缆有限公司",
        unified_social_credit_code: "91330521MA2B4RT6XE",
        domicile: "浙江省湖州市德清县阜溪街道恒固路16号",
        production_address: "浙江省湖州市德清县阜溪街道恒固路16号1号厂房",
        product_name: "电线电缆",
        licence_inspection_scope: "额定电压450/750V及以下聚氯乙烯绝缘电缆电线；额定电压1kV和3kV挤包绝缘电力电缆",
        issue_date: "2023-11-02",
        valid_until: "2028-11-01",
      },
    ],
  },
});
