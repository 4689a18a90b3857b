// What goes into a printout's QR code: the presentation itself when it fits the printed size,
// else a share link (which depends on a service and expires: the printout says so). Used by
// `certchain print` and by the wallet's print view.
import QRCode from "qrcode";
import { CertchainError, encodePaperPayload, paperQrVersion, PAPER_MAX_QR_VERSION, type Envelope } from "@certchain/sdk";
import type { PaperQr } from "./printout";

/** Makes a share link of the presentation (encrypted on this side), for when it does not fit. */
export type ShareLinkMaker = (presentation: Envelope) => Promise<{ link: string; expiresAt: string }>;

/**
 * The QR code of a presentation. Its payload ("CC1:…") when the code is at most version
 * {@link PAPER_MAX_QR_VERSION}; otherwise a share link from `makeShareLink`.
 *
 * @throws CertchainError `PAPER_TOO_LARGE` when it does not fit and no link can be made.
 */
export async function paperQrOf(presentation: Envelope, makeShareLink?: ShareLinkMaker): Promise<PaperQr & { payloadVersion: number | null; payloadLength: number }> {
  const payload = encodePaperPayload(presentation);
  const version = paperQrVersion(payload);
  if (version !== null && version <= PAPER_MAX_QR_VERSION) return { text: payload, kind: "payload", version, payloadVersion: version, payloadLength: payload.length };
  if (!makeShareLink) {
    // A code of the printout's own, not the SDK's (CERTCHAIN_ERRORS): named as such.
    throw new CertchainError<"PAPER_TOO_LARGE">(
      "PAPER_TOO_LARGE",
      `the presentation needs a QR code of version ${version ?? ">40"} (${payload.length} characters), more than the ${PAPER_MAX_QR_VERSION} a printout holds`,
      { details: { version, length: payload.length, max: PAPER_MAX_QR_VERSION } },
    );
  }
  const { link, expiresAt } = await makeShareLink(presentation);
  return { text: link, kind: "share-link", version: QRCode.create(link, { errorCorrectionLevel: "M" }).version, expiresAt, payloadVersion: version, payloadLength: payload.length };
}
