/**
 * Real examples for /openapi.json: a frozen format-v1 presentation (test/vectors/envelope-v1.json,
 * disclosing two of a business licence's claims) and the results this verifier gave for it,
 * captured from a run against a registry that anchors the vectors; test/server/verifier checks
 * that the example envelope still verifies so.
 */

export const EXAMPLE_ENVELOPE = {
  "format": "certchain-envelope",
  "version": 1,
  "credential": "eyJhbGciOiJFZERTQSIsInR5cCI6ImRjK3NkLWp3dCIsImtpZCI6Im8yUzh3ZGppZ252eVMwNGhNdlZCSEtvd0RBQW5PTm5JSUdySjJ1T2xkcVEifQ.eyJpc3MiOiJ1cm46Y2VydGNoYWluOmFnZW5jeTpzaC12ZWN0b3JzIiwidmN0IjoidXJuOmNlcnRjaGFpbjp2Y3Q6YnVzaW5lc3MtbGljZW5jZToxIiwiaWF0IjoxNzk1MDAwMDAwLCJuYmYiOjE3OTUwMDAwMDAsImNlcnRpZmljYXRlX251bWJlciI6IjEuMi4xNTYuMzAwNS4yLllZWlouMTEzMTAwMDBNQjJGMzAwMDFYLjAwMDAwMS4xLlgiLCJfc2QiOlsiNV90dUp6eUFNdHhWVG5xR2J1dWFrV2F2VEl0QldRZnBSSElieEQtb09YQSIsIjY1ZTFpZlpzdU9FbFRtLWRYNDd6bFMxdTJqaFZGdkZROEk0STg4ZE1sM00iLCJFWjVTektkeUJUc2RIbzdnbnRKcWtHQS13bER4OWtQRWJFRjR2b1FreG5jIiwiT3RTMGxGUEFmTXNtOG9GWHFPeHNmNXhGcjZqc0ZVaGFtTGh2MXN0WHB3byIsIlJqcHc1ZjJ4OVRocGdrUmgyV29iVXBZdjFkQjlzcW16Z3p3b1g0NC0zR28iLCJkbEF5U2pZdjhvZzFZbXdVSEFWTXpuYjIzaXJaUTN5Z1E1NTVzT0VKb1djIiwia1hXVF9JQWRtNGtqNTVzdW9CcWFucXVTdnRpQ2lQUXlMQ2RhUWlBSWI5USIsInVmWjdwRFAtRlM1MWwtRFV1VDZsT1I1SS1FNWNGaTBkcVFfMFVmYmJsc0EiLCJ6ZVpINlhOMGZfMGlFQndwc3VfWUFsejBCWmliRlFESVF0NW1BeUxtaXZNIiwiemVqRlBscHB5aWpubmRlTS0zRVRRZ3ZzNzZqVDRvX2x3M0ZaMmdnTFB0byIsInp1dWRFc3ltMXF3ZmJ4TkxFRnk0d2ktbVdwZXg2WGpYQlAzd0hacXl4RTQiXSwiX3NkX2FsZyI6InNoYS0yNTYifQ.wbApq63sr3ANLI-lmna3-ifOihn-1cpzi_0IEQkNWDNgo0ha5cNN5ruKIOm3ZVPdleYlKfDI-7kOTMY86WhMCg~WyJURHZYR2k5VmE2bE5wSEl1ZjRCSjFBIiwiY29tcGFueV9uYW1lIiwi5LiK5rW36Z2S56a-5pWw5a2X56eR5oqA5pyJ6ZmQ5YWs5Y-4Il0~WyJlSGFDdWpSN1ZsQkFvWGV1R3MyajVBIiwidW5pZmllZF9zb2NpYWxfY3JlZGl0X2NvZGUiLCI5MTMxMDExNU1BMUg3UTJLM1IiXQ~",
  "anchor": {
    "status": "anchored",
    "chainId": 31337,
    "registry": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    "root": "0x13a0b92985e489f9f055a05cf8c7515fc3568a524e0b8242fed6716883e8bac1",
    "proof": [
      "0xb33c48541ad42141a36ead02526d20cc577a2a371866df306fa2ea48b75e1858"
    ],
    "transaction": "0xabababababababababababababababababababababababababababababababab",
    "block": 7,
    "anchoredAt": "2026-11-18T12:26:40.000Z"
  }
} as const;

/** The certificate EXAMPLE_ENVELOPE holds, as results describe it (its type with labels and display order). */
const EXAMPLE_CERTIFICATE = {
  "number": "1.2.156.3005.2.YYZZ.11310000MB2F30001X.000001.1.X",
  "vct": "urn:certchain:vct:business-licence:1",
  "type": {
    "id": "business-licence",
    "names": {
      "zh-CN": "营业执照",
      "en": "Business licence"
    },
    "labels": [
      {
        "path": [
          "certificate_number"
        ],
        "label": {
          "zh-CN": "证照编号",
          "en": "Certificate number"
        },
        "selective": false
      },
      {
        "path": [
          "company_name"
        ],
        "label": {
          "zh-CN": "名称",
          "en": "Company name"
        },
        "selective": true
      },
      {
        "path": [
          "unified_social_credit_code"
        ],
        "label": {
          "zh-CN": "统一社会信用代码",
          "en": "Unified social credit code"
        },
        "selective": true
      },
      {
        "path": [
          "company_type"
        ],
        "label": {
          "zh-CN": "类型",
          "en": "Company type"
        },
        "selective": true
      },
      {
        "path": [
          "legal_representative"
        ],
        "label": {
          "zh-CN": "法定代表人",
          "en": "Legal representative"
        },
        "selective": true
      },
      {
        "path": [
          "registered_capital"
        ],
        "label": {
          "zh-CN": "注册资本",
          "en": "Registered capital"
        },
        "selective": true
      },
      {
        "path": [
          "date_of_establishment"
        ],
        "label": {
          "zh-CN": "成立日期",
          "en": "Date of establishment"
        },
        "selective": true
      },
      {
        "path": [
          "business_term_end"
        ],
        "label": {
          "zh-CN": "营业期限至",
          "en": "Business term until"
        },
        "selective": true
      },
      {
        "path": [
          "business_scope"
        ],
        "label": {
          "zh-CN": "经营范围",
          "en": "Business scope"
        },
        "selective": true
      },
      {
        "path": [
          "domicile"
        ],
        "label": {
          "zh-CN": "住所",
          "en": "Domicile"
        },
        "selective": true
      },
      {
        "path": [
          "registration_authority"
        ],
        "label": {
          "zh-CN": "登记机关",
          "en": "Registration authority"
        },
        "selective": true
      },
      {
        "path": [
          "registration_date"
        ],
        "label": {
          "zh-CN": "登记日期",
          "en": "Registration date"
        },
        "selective": true
      }
    ],
    "claimOrder": [
      "company_name",
      "unified_social_credit_code",
      "company_type",
      "legal_representative",
      "registered_capital",
      "date_of_establishment",
      "business_term_end",
      "business_scope",
      "domicile",
      "registration_authority",
      "registration_date"
    ]
  },
  "leaf": "0x9d5214a5e4b162dae192351d6916fd0eb82762792dd80cc63360800165813066",
  "issuedAt": "2026-11-18T11:06:40.000Z",
  "validFrom": "2026-11-18T11:06:40.000Z",
  "validUntil": null
} as const;

/** The result for EXAMPLE_ENVELOPE: valid, vouched for by the trusted registry "上海市". */
export const EXAMPLE_RESULT = {
  "verdict": "valid",
  "reason": null,
  "checks": [
    {
      "name": "format",
      "status": "passed"
    },
    {
      "name": "integrity",
      "status": "passed"
    },
    {
      "name": "anchor",
      "status": "passed"
    },
    {
      "name": "issuer",
      "status": "passed"
    },
    {
      "name": "signature",
      "status": "passed"
    },
    {
      "name": "status",
      "status": "passed"
    },
    {
      "name": "validity",
      "status": "passed"
    },
    {
      "name": "schema",
      "status": "passed"
    }
  ],
  "claims": {
    "company_name": "上海青禾数字科技有限公司",
    "unified_social_credit_code": "91310115MA1H7Q2K3R"
  },
  "withheld": [
    "company_type",
    "legal_representative",
    "registered_capital",
    "date_of_establishment",
    "business_term_end",
    "business_scope",
    "domicile",
    "registration_authority",
    "registration_date"
  ],
  "certificate": EXAMPLE_CERTIFICATE,
  "issuer": {
    "id": "0x65dac619c150525e94615bb60f525492ad95f538b707a736affd0a62f5f76898",
    "slug": "sh-vectors",
    "name": "向量测试机构"
  },
  "anchoredAt": "2026-11-28T08:50:04.000Z",
  "anchor": {
    "root": "0x13a0b92985e489f9f055a05cf8c7515fc3568a524e0b8242fed6716883e8bac1",
    "block": 14,
    "transaction": null
  },
  "registry": {
    "chainId": 31337,
    "address": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    "name": "上海市",
    "id": "0xabef89e5994fbdd6afe6319da719862bc5f474e82c7f04d8efe1a6e3fd4c003a"
  },
  "status": {
    "state": "active",
    "reason": 0,
    "since": null
  }
};

/** The result for EXAMPLE_ENVELOPE with `anchor.chainId` edited to 1: no trusted registry is on chain 1. */
export const EXAMPLE_INVALID_RESULT = {
  "verdict": "invalid",
  "reason": {
    "check": "anchor",
    "code": "ANCHOR_UNTRUSTED_REGISTRY",
    "message": "The certificate is anchored on a registry or chain this verifier does not trust."
  },
  "checks": [
    {
      "name": "format",
      "status": "passed"
    },
    {
      "name": "integrity",
      "status": "passed"
    },
    {
      "name": "anchor",
      "status": "failed",
      "code": "ANCHOR_UNTRUSTED_REGISTRY",
      "message": "The certificate is anchored on a registry or chain this verifier does not trust."
    },
    {
      "name": "issuer",
      "status": "skipped"
    },
    {
      "name": "signature",
      "status": "skipped"
    },
    {
      "name": "status",
      "status": "skipped"
    },
    {
      "name": "validity",
      "status": "passed"
    },
    {
      "name": "schema",
      "status": "passed"
    }
  ],
  "claims": {
    "company_name": "上海青禾数字科技有限公司",
    "unified_social_credit_code": "91310115MA1H7Q2K3R"
  },
  "withheld": [
    "company_type",
    "legal_representative",
    "registered_capital",
    "date_of_establishment",
    "business_term_end",
    "business_scope",
    "domicile",
    "registration_authority",
    "registration_date"
  ],
  "certificate": EXAMPLE_CERTIFICATE,
  "issuer": null,
  "anchoredAt": null,
  "anchor": null,
  "registry": null,
  "status": null
};
