/**
 * 社会保障卡 (social security card): the type issue 10 adds through the API, "with nothing else
 * changed". Nested claims: the holder (name, ID number, gender, birth date) and the cooperating
 * banks, each a disclosure of its own. The metadata has no vct: the service assigns it.
 */
const L = (zh: string, en: string) => [{ locale: "zh-CN", label: zh }, { locale: "en", label: en }];

export const SOCIAL_SECURITY_CARD = {
  id: "social-security-card",
  typeCode: "SBZK",
  metadata: {
    name: "Social security card",
    description: "社会保障卡, issued by a human resources and social security bureau (人力资源和社会保障局).",
    display: [
      { locale: "zh-CN", name: "社会保障卡", description: "中华人民共和国社会保障卡" },
      { locale: "en", name: "Social security card" },
    ],
    claims: [
      { path: ["certificate_number"], display: L("证照编号", "Certificate number"), sd: "never", mandatory: true },
      { path: ["holder"], display: L("持卡人", "Cardholder"), sd: "always", mandatory: true },
      { path: ["holder", "name"], display: L("姓名", "Name"), sd: "always" },
      { path: ["holder", "id_number"], display: L("社会保障号码", "Social security number"), sd: "always" },
      { path: ["holder", "gender"], display: L("性别", "Gender"), sd: "always" },
      { path: ["holder", "date_of_birth"], display: L("出生日期", "Date of birth"), sd: "always" },
      { path: ["card_number"], display: L("卡号", "Card number"), sd: "always", mandatory: true },
      { path: ["issuing_region"], display: L("发卡地", "Issuing region"), sd: "always", mandatory: true },
      { path: ["date_of_issue"], display: L("发卡日期", "Date of issue"), sd: "always", mandatory: true },
      { path: ["banks"], display: L("合作银行", "Cooperating banks"), sd: "always" },
      { path: ["banks", null], display: L("银行", "Bank"), sd: "always" },
    ],
    "certchain:claim_order": ["holder", "card_number", "issuing_region", "date_of_issue", "banks"],
    "certchain:schema": {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: {
        holder: {
          type: "object",
          properties: {
            name: { type: "string", minLength: 1, maxLength: 64 },
            id_number: { type: "string", pattern: "^[0-9]{17}[0-9X]$" },
            gender: { type: "string", enum: ["男", "女"] },
            date_of_birth: { type: "string", format: "date" },
          },
          required: ["name", "id_number", "gender", "date_of_birth"],
          additionalProperties: false,
        },
        card_number: { type: "string", pattern: "^[A-Z0-9]{9}$" },
        issuing_region: { type: "string", minLength: 1, maxLength: 64 },
        date_of_issue: { type: "string", format: "date" },
        banks: { type: "array", items: { type: "string", minLength: 1, maxLength: 64 }, minItems: 1, maxItems: 4 },
      },
      required: ["holder", "card_number", "issuing_region", "date_of_issue"],
      additionalProperties: false,
      examples: [
        {
          holder: { name: "王芳", id_number: "11010519491231002X", gender: "女", date_of_birth: "1949-12-31" },
          card_number: "B12345678",
          issuing_region: "上海市",
          date_of_issue: "2023-03-15",
          banks: ["中国工商银行", "上海银行"],
        },
      ],
    },
  },
};

/** A complete claim set (the metadata's first example), as a fresh copy. */
export const socialSecurityClaims = (): Record<string, unknown> => structuredClone(SOCIAL_SECURITY_CARD.metadata["certchain:schema"].examples[0]);
