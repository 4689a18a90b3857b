import { defineCertificateType } from "../define";
import { text } from "../fragments";

/**
 * 公证存证回执, issued by a notary office (公证处). The subject is the digest of a document the
 * holder hashed on their own device; the document itself never reaches the service.
 */
export const notarisationReceipt = defineCertificateType({
  id: "notarisation-receipt",
  vct: "urn:certchain:vct:notarisation-receipt:1",
  typeCode: "GZCZ",
  names: { "zh-CN": "公证存证回执", en: "Notarisation receipt" },
  claims: {
    document_digest: { "zh-CN": "文件摘要", en: "Document digest" },
    digest_algorithm: { "zh-CN": "摘要算法", en: "Digest algorithm" },
    title: { "zh-CN": "文件标题", en: "Title" },
    parties: { "zh-CN": "当事人", en: "Parties" },
    document_size: { "zh-CN": "文件大小（字节）", en: "Document size (bytes)" },
    notes: { "zh-CN": "备注", en: "Notes" },
  },
  schema: {
    type: "object",
    properties: {
      // Lowercase only, so one document has exactly one spelling to compare against.
      document_digest: { type: "string", pattern: "^[0-9a-f]{64}$" },
      digest_algorithm: { type: "string", const: "sha-256" },
      title: text(256),
      parties: { type: "array", items: text(128), minItems: 1, maxItems: 32 },
      document_size: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
      notes: text(1000),
    },
    // Title, parties, size and notes are optional metadata (DESIGN.md: "optional metadata").
    required: ["document_digest", "digest_algorithm"],
    additionalProperties: false,
    examples: [
      {
        document_digest: "56dc643d5401f21a7750b4d782c697b85155b96f5f907dd1ca047f7f93a7fa81",
        digest_algorithm: "sha-256",
        title: "房屋租赁合同（浦东新区青禾路88号3幢501室）",
        parties: ["上海青禾数字科技有限公司", "陈嘉树"],
        document_size: 284512,
        notes: "文件摘要由当事人在本地计算，原件由当事人自行保存。",
      },
    ],
  },
});
