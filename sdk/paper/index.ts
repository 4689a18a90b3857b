export { encodePaperPayload, decodePaperPayload, isPaperPayload, PAPER_PREFIX, MAX_PAPER_TEXT, MAX_PAPER_INFLATED } from "./payload";
export { paperQrVersion, PAPER_MAX_QR_VERSION, PAPER_MODULE_MM, QR_ALPHANUMERIC_CAPACITY_M } from "./qr-capacity";
export { base45Encode, base45Decode } from "./base45";
