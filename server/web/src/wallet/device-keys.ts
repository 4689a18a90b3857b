// The wallet's device keys: the keys collected certificates are bound to (`cnf.jwk`). Each is a
// P-256 key pair made by WebCrypto with a non-extractable private half, kept in IndexedDB as
// CryptoKey objects (the browser stores them; no script, ours included, can read the private
// key). One key per collected certificate, so that no key links two certificates when they are
// presented to different departments. Found again by the RFC 7638 thumbprint of the public key,
// which the credential carries: `deviceKeyOf(readHolderKey(payload.cnf.jwk).key.thumbprint)`.
import { createWebCryptoHolderSigner, readHolderKey, type HolderSigner } from "@certchain/sdk";

const DATABASE = "certchain-wallet";
const STORE = "device-keys";

/** A device key as kept: the key pair, its public JWK's thumbprint, and when it was made. */
export interface DeviceKey {
  thumbprint: string;
  keyPair: CryptoKeyPair;
  createdAt: string;
}

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "thumbprint" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB cannot be opened"));
  });
}

async function inStore<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDatabase();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = action(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error ?? new Error("IndexedDB write failed"));
      transaction.onabort = () => reject(transaction.error ?? new Error("IndexedDB write aborted"));
    });
  } finally {
    db.close();
  }
}

/** Makes a new device key and keeps it (durably, before it is used to ask for a credential). */
export async function createDeviceKey(): Promise<DeviceKey & { signer: HolderSigner }> {
  const keyPair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  const signer = await createWebCryptoHolderSigner(keyPair);
  const read = readHolderKey(signer.publicJwk);
  if (!read.ok) throw new Error("the device key's public half is not a holder key");
  const key: DeviceKey = { thumbprint: read.key.thumbprint, keyPair, createdAt: new Date().toISOString() };
  await inStore("readwrite", (store) => store.put(key));
  return { ...key, signer };
}

/** The device key of that thumbprint, with a signer over it; undefined when this browser has none. */
export async function deviceKeyOf(thumbprint: string): Promise<(DeviceKey & { signer: HolderSigner }) | undefined> {
  const key = (await inStore("readonly", (store) => store.get(thumbprint))) as DeviceKey | undefined;
  if (!key?.keyPair?.privateKey) return undefined;
  return { ...key, signer: await createWebCryptoHolderSigner(key.keyPair) };
}

/** Deletes a device key no credential was bound to (the issuer refused the request). */
export async function deleteDeviceKey(thumbprint: string): Promise<void> {
  await inStore("readwrite", (store) => store.delete(thumbprint));
}
