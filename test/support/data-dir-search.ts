import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Level } from "level";

/**
 * Looking for personal data in a data directory, the way someone holding a copy of it would: in
 * every file's bytes (LevelDB's logs and tables included), and in every value LevelDB itself
 * reads back (its tables are compressed, which could hide a plaintext from a byte search).
 */

/** The forms a value could take on disk: its UTF-8, base64url and base64 of its JSON string (at the three byte alignments it can have inside a longer text), hex. */
export function needlesOf(value: string): { form: string; bytes: Buffer }[] {
  const utf8 = Buffer.from(value, "utf8");
  const json = Buffer.from(JSON.stringify(value), "utf8");
  const needles = [
    { form: "utf-8", bytes: utf8 },
    { form: "hex", bytes: Buffer.from(utf8.toString("hex")) },
    { form: "HEX", bytes: Buffer.from(utf8.toString("hex").toUpperCase()) },
  ];
  for (const encoding of ["base64url", "base64"] as const) {
    for (let shift = 0; shift < 3; shift++) {
      // Inside a longer text, the JSON string starts at some byte offset: prefix 0-2 bytes and keep only the characters that depend on the string alone.
      const encoded = Buffer.concat([Buffer.alloc(shift), json]).toString(encoding).replace(/=+$/, "");
      const first = Math.ceil((shift * 4) / 3);
      const last = Math.floor(((shift + json.length) * 4) / 3);
      needles.push({ form: `${encoding} of the JSON string (offset ${shift})`, bytes: Buffer.from(encoded.slice(first, last)) });
    }
  }
  return needles;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

export interface Finding {
  value: string;
  form: string;
  where: string;
}

/** Every place a value appears in the directory's files, in any of its forms. */
export function searchFiles(dir: string, values: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  for (const file of filesUnder(dir)) {
    const content = readFileSync(file);
    for (const value of values) {
      for (const needle of needlesOf(value)) if (content.includes(needle.bytes)) findings.push({ value, form: needle.form, where: path.relative(dir, file) });
    }
  }
  return findings;
}

/** Every place a value appears in what the LevelDB at `location` reads back (keys and values, decompressed). Open it only while nothing else has it open. */
export async function searchDatabase(location: string, values: readonly string[]): Promise<Finding[]> {
  const db = new Level<Buffer, Buffer>(location, { keyEncoding: "buffer", valueEncoding: "buffer" });
  await db.open();
  const findings: Finding[] = [];
  try {
    for await (const [key, value] of db.iterator()) {
      for (const text of values) {
        for (const needle of needlesOf(text)) {
          if (key.includes(needle.bytes) || value.includes(needle.bytes)) findings.push({ value: text, form: needle.form, where: `db key ${key.toString("utf8").slice(0, 80)}` });
        }
      }
    }
  } finally {
    await db.close();
  }
  return findings;
}

/** Whether `bytes` (e.g. a sealed record's wrapped key, base64) appears anywhere in the directory's files. */
export function filesContaining(dir: string, text: string): string[] {
  const bytes = Buffer.from(text);
  return filesUnder(dir).filter((file) => readFileSync(file).includes(bytes)).map((file) => path.relative(dir, file));
}
