/**
 * Registers the service worker that keeps the wallet and verify pages (and their scripts)
 * available offline. Best effort: without it the pages still work online.
 */
export function registerOfflineWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
}
