import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { t, type Text } from "./i18n";
import { UsageError } from "./output";

const M = {
  missing: { "zh-CN": "缺少 {what}", en: "missing {what}" },
  notFound: { "zh-CN": "找不到{what}：{file}", en: "{what} not found: {file}" },
  notFile: { "zh-CN": "{what}不是文件：{file}", en: "{what} is not a file: {file}" },
  notJson: { "zh-CN": "{what} {file} 不是 JSON：{problem}", en: "{what} {file} is not JSON: {problem}" },
} satisfies Record<string, Text>;

/**
 * SHA-256 of a file, lowercase hex, streamed so a large contract scan never sits in memory.
 * node:crypto here (the CLI is Node only; it is several times faster than a JS hash); the result
 * is the SDK's digestOfDocument of the same bytes (tested).
 */
export function sha256File(file: string): Promise<{ digest: string; size: number }> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    let size = 0;
    createReadStream(file)
      .on("data", (chunk) => {
        hash.update(chunk);
        size += chunk.length;
      })
      .on("error", reject)
      .on("end", () => resolve({ digest: hash.digest("hex"), size }));
  });
}

export const sha256Hex = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");

/** A file the user named, or a usage error saying which and why. */
export function requireFile(file: string | undefined, what: string): string {
  if (!file) throw new UsageError(t(M.missing, { what }));
  if (!existsSync(file)) throw new UsageError(t(M.notFound, { what, file }));
  if (!statSync(file).isFile()) throw new UsageError(t(M.notFile, { what, file }));
  return file;
}

export function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(t(M.notJson, { what, file, problem: (error as Error).message }));
  }
}

/** Written whole or not at all: a crash mid-write must not leave a half state file. */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}

/** The envelope inside an API reply `{ id, status, envelope }` (what the API and `certchain get` give); anything else as it is. */
export const envelopeOf = (value: unknown): unknown =>
  value && typeof value === "object" && !("format" in value) && "envelope" in value ? (value as { envelope: unknown }).envelope : value;
