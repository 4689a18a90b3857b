// What the wallet keeps in this browser (localStorage): the certificates, as files (envelopes),
// and the share links made here. Shared by the wallet's flows (opening a file, collecting with
// OpenID4VCI, sharing); nothing here leaves the browser.
import { credentialLeaf, parseEnvelope, type Envelope } from "@certchain/sdk";

/** A certificate kept on this device: the file itself, by leaf (a presentation shares its leaf). */
export interface StoredCertificate {
  leaf: string;
  envelope: Envelope;
  savedAt: string;
  /** The anchored file was made here from a fetched proof: the holder's own file is still the pending one. */
  needsSaving?: boolean;
}

export const LINKS_KEY = "certchain.wallet.links";
const CERTIFICATES_KEY = "certchain.wallet.certificates";

export function read<T>(key: string): T[] {
  try {
    const value = JSON.parse(localStorage.getItem(key) ?? "[]") as T[];
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

export function write(key: string, value: unknown[]) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or disabled: the page still works, only nothing is kept
  }
}

export function storedCertificates(): StoredCertificate[] {
  return read<StoredCertificate>(CERTIFICATES_KEY).filter((c) => {
    try {
      parseEnvelope(c.envelope);
      return typeof c.leaf === "string";
    } catch {
      return false;
    }
  });
}

const disclosures = (env: Envelope) => env.credential.split("~").length;

/**
 * Keeps a certificate on this device. One entry per leaf: an anchored file beats a pending one,
 * and otherwise the file that discloses more (a presentation never replaces the full certificate).
 * `madeHere`: the anchored file was built in this page from a fetched proof (so the holder still
 * has to save it).
 */
export function remember(env: Envelope, madeHere = false) {
  const leaf = credentialLeaf(env.credential);
  const all = storedCertificates();
  const existing = all.find((c) => c.leaf === leaf);
  if (existing) {
    const upgrade = env.anchor.status === "anchored" && existing.envelope.anchor.status === "pending";
    const more = env.anchor.status === existing.envelope.anchor.status && disclosures(env) > disclosures(existing.envelope);
    if (!upgrade && !more) return;
    existing.envelope = env;
    if (upgrade) existing.needsSaving = madeHere;
  } else {
    all.unshift({ leaf, envelope: env, savedAt: new Date().toISOString(), ...(madeHere ? { needsSaving: true } : {}) });
  }
  write(CERTIFICATES_KEY, all);
}

export const storedOf = (leaf: string) => storedCertificates().find((c) => c.leaf === leaf);

/** The holder saved the anchored file: stop offering it. */
export function markSaved(leaf: string) {
  const all = storedCertificates();
  const entry = all.find((c) => c.leaf === leaf);
  if (entry?.needsSaving) {
    delete entry.needsSaving;
    write(CERTIFICATES_KEY, all);
  }
}

export function forget(leaf: string) {
  write(
    CERTIFICATES_KEY,
    storedCertificates().filter((c) => c.leaf !== leaf),
  );
}
