// `npm run bench:paper`: how large the QR code of a printed certificate is. For the built-in
// types' example claims, several choices of revealed claims and Merkle proofs of 0, 4, 10 and 14
// hashes (a batch of 2^n certificates), prints the QR text's length, its bytes after deflate,
// the QR version at error correction M in alphanumeric mode (what is printed) and in byte mode
// (for comparison). No chain: the proof hashes are random, which is what real ones look like to
// a compressor. Credentials are format v2 as the service issues them (the agency's URL as iss,
// vct#integrity, a status list entry, nested disclosures), under PUBLIC_URL (default a
// realistic https origin), and the envelopes name a registry id. Not a test: no targets.
// docs/paper.md has the table.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import QRCode from "qrcode";
import {
  agencyIssuerUrl,
  base45Decode,
  createAnchoredEnvelope,
  encodePaperPayload,
  findTypeById,
  formatCertificateNumber,
  issueCredential,
  paperQrVersion,
  presentCredential,
  selectivePathsOf,
  statusListPosition,
  statusListUri,
  type Hex,
} from "@certchain/sdk";
import { createNodeSigner } from "../server/keys/node-signer";

const hex = (n: number) => `0x${randomBytes(n).toString("hex")}` as Hex;
const PROOFS = [0, 4, 10, 14];
const PUBLIC_URL = process.env.PUBLIC_URL ?? "https://certs.sh.example.gov.cn";
const CASES: [string, string, string[]][] = [
  ["business licence, 4 claims", "business-licence", ["company_name", "unified_social_credit_code", "legal_representative", "domicile"]],
  ["business licence, 6 claims", "business-licence", ["company_name", "unified_social_credit_code", "company_type", "legal_representative", "registered_capital", "date_of_establishment"]],
  ["business licence, all 11 claims", "business-licence", Object.keys(findTypeById("business-licence")!.claims)],
  ["business licence, no claims", "business-licence", []],
  ["marriage certificate, 4 claims", "marriage-certificate", ["holder_name", "registration_date", "spouses", "registration_authority"]],
  ["marriage certificate, 2 claims", "marriage-certificate", ["holder_name", "registration_date"]],
];

async function main() {
  const signer = createNodeSigner(generateKeyPairSync("ed25519").privateKey);
  console.log(`| presentation | JSON file | ${PROOFS.map((d) => `proof ${d}`).join(" | ")} |`);
  console.log(`| --- | --- | ${PROOFS.map(() => "---").join(" | ")} |`);
  for (const [label, typeId, reveal] of CASES) {
    const type = findTypeById(typeId)!;
    const agency = typeId === "business-licence" ? "sh-amr" : "sh-mca";
    const statusIndex = 123_456;
    const credential = await issueCredential({
      vct: type.vct,
      issuer: agency,
      issuerUri: agencyIssuerUrl(PUBLIC_URL, agency),
      vctIntegrity: type.integrity,
      selectivePaths: selectivePathsOf(type),
      status: { idx: statusIndex, uri: statusListUri(PUBLIC_URL, agency, statusListPosition(statusIndex).list) },
      certificateNumber: formatCertificateNumber({ typeCode: type.typeCode, issuerCode: "11310000MB2F30001X", serial: "00001234", version: "1" }),
      claims: type.schema.examples[0] as Record<string, unknown>,
      signer,
    });
    let json = 0;
    const cells = PROOFS.map((depth) => {
      const envelope = createAnchoredEnvelope(credential, {
        chainId: 31337,
        registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        registryId: hex(32),
        root: hex(32),
        proof: Array.from({ length: depth }, () => hex(32)),
        transaction: hex(32),
        block: 1234,
        anchoredAt: "2026-11-28T08:00:00.000Z",
      });
      const presentation = presentCredential(envelope, reveal);
      if (depth === 4) json = JSON.stringify(presentation).length;
      const text = encodePaperPayload(presentation);
      const bytes = base45Decode(text.slice(4));
      const byteMode = QRCode.create([{ data: Buffer.from(bytes), mode: "byte" }], { errorCorrectionLevel: "M" }).version;
      return `${text.length} (${bytes.length} B) / v${paperQrVersion(text)} (v${byteMode})`;
    });
    console.log(`| ${label} | ${json} B | ${cells.join(" | ")} |`);
  }
}

void main();
