import type { JsonSchema } from "./define";

// Schema pieces the built-in types' documents use (sdk/types/metadata/*.json repeat them as data),
// kept so that tools can recognise them: the CLI says "a unified social credit code" instead of
// printing a pattern. Every string is length-capped: claim values come from holders'
// disclosures and are shown on pages, and an unbounded value is never legitimate.

export const text = (maxLength: number): JsonSchema => ({ type: "string", minLength: 1, maxLength });

export const date: JsonSchema = { type: "string", format: "date" };

/** RFC 3339 with an explicit offset (the date-time format requires one), e.g. `2024-03-08T09:42:00+08:00`. */
export const dateTime: JsonSchema = { type: "string", format: "date-time" };

/** 统一社会信用代码 (GB 32100-2015): 18 characters, letters I, O, S, V, Z excluded. */
export const unifiedSocialCreditCode: JsonSchema = {
  type: "string",
  pattern: "^[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
};

export const gender: JsonSchema = { type: "string", enum: ["男", "女"] };

/** Resident identity card number, or a passport or other travel-document number for foreigners. */
export const idNumber: JsonSchema = { type: "string", pattern: "^[0-9A-Z]{6,32}$" };

/** As printed on the paper certificate, e.g. 中国. */
export const nationality = text(32);

export function object(properties: Record<string, JsonSchema>, required: readonly string[] = Object.keys(properties)): JsonSchema {
  return { type: "object", properties, required, additionalProperties: false };
}
