// How much a QR code holds. A paper payload is one alphanumeric segment ("CC1:" and base45 are
// both in the QR alphanumeric set), so its size in characters decides its version exactly.

/**
 * Characters of one alphanumeric segment that QR versions 1–40 hold at error correction level M
 * (ISO/IEC 18004 table 7; tests check every entry against the `qrcode` encoder).
 */
export const QR_ALPHANUMERIC_CAPACITY_M: readonly number[] = [
  20, 38, 61, 90, 122, 154, 178, 221, 262, 311, 366, 419, 483, 528, 600, 656, 734, 816, 909, 970, 1035, 1134, 1248, 1326, 1451, 1542, 1637, 1732, 1839, 1994,
  2113, 2238, 2369, 2506, 2632, 2780, 2894, 3054, 3220, 3391,
];

/**
 * The printed size of one QR module, in millimetres: large enough for phone cameras and
 * counter scanners to read from paper (docs/paper.md works the numbers out).
 */
export const PAPER_MODULE_MM = 0.5;

/**
 * The largest QR version a printout uses: 137 modules of 0.5 mm, a code 68.5 mm wide (72.5 mm with
 * its quiet zone), as large as the A4 layout gives it. Up to version 18 the code fits 45 mm.
 * A presentation that needs more falls back to a share link in the QR code.
 */
export const PAPER_MAX_QR_VERSION = 30;

/** The smallest QR version (error correction M) that holds `text` as one alphanumeric segment, or null beyond version 40. */
export function paperQrVersion(text: string): number | null {
  const index = QR_ALPHANUMERIC_CAPACITY_M.findIndex((capacity) => capacity >= text.length);
  return index === -1 ? null : index + 1;
}
