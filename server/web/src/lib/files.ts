// Reading a certificate file from a file picker, a drop or a paste.

// Far above any certificate file (the SDK refuses envelopes over 512 KiB with its own message).
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** The envelope inside a file: the file itself, or the `envelope` of an API reply saved to disk. */
export function envelopeTextOf(text: string): string {
  const trimmed = text.trim().replace(/^\uFEFF/, "");
  try {
    const value = JSON.parse(trimmed) as { envelope?: { format?: unknown } };
    if (value && typeof value === "object" && value.envelope && typeof value.envelope === "object" && value.envelope.format === "certchain-envelope") {
      return JSON.stringify(value.envelope);
    }
  } catch {
    // not JSON: the SDK says what is wrong with it
  }
  return trimmed;
}

/** The file's text; an oversized file reads as empty, which verification reports as not a certificate file. */
export async function readFileText(file: File): Promise<string> {
  return file.size > MAX_FILE_BYTES ? "" : file.text();
}

/** Calls `onFile` for a file dropped anywhere on `zone` (or the page), highlighting the zone meanwhile. */
export function acceptDrops(zone: HTMLElement, onFile: (file: File) => void) {
  const target = document.body;
  const over = (event: DragEvent) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    zone.classList.add("dropzone--active");
  };
  target.addEventListener("dragenter", over);
  target.addEventListener("dragover", over);
  target.addEventListener("dragleave", (event) => {
    if (event.relatedTarget === null) zone.classList.remove("dropzone--active");
  });
  target.addEventListener("drop", (event) => {
    zone.classList.remove("dropzone--active");
    const file = event.dataTransfer?.files?.[0];
    if (!file) return;
    event.preventDefault();
    onFile(file);
  });
}
