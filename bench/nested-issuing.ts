// `npm run bench:nested`: issuing speed of our own SD-JWT issuer (sdk/credential/issue.ts) for a
// flat type (business licence: 11 disclosures) and a nested one (marriage certificate v2: 17
// disclosures, each spouse and each field its own), against @sd-jwt/sd-jwt-vc issuing the same
// nested credential. One core, Ed25519 through node:crypto. Not a test: no targets.
import { createHash, generateKeyPairSync } from "node:crypto";
import path from "node:path";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";
import { businessLicence, issueCredential, marriageCertificate, selectivePathsOf } from "@certchain/sdk";
import { createNodeSigner } from "../server/keys/node-signer";
import { formatTable, int, perSecond, type Row } from "./report";
import { writeResults } from "./results-file";

const N = Number(process.env.BENCH_N ?? 5_000);
const signer = createNodeSigner(generateKeyPairSync("ed25519").privateKey);
const number = "1.2.156.3005.2.JHZS.11310000MB2F30001X.0000000001.1.U";

async function rate(label: string, issueOne: () => Promise<string>): Promise<{ label: string; perSecond: number }> {
  for (let i = 0; i < 200; i++) await issueOne(); // warm-up
  const started = performance.now();
  for (let i = 0; i < N; i++) await issueOne();
  const result = { label, perSecond: perSecond(N, performance.now() - started) };
  process.stderr.write(`  ${label}: ${int(result.perSecond)}/s\n`);
  return result;
}

async function main() {
  const common = { issuer: "sh-amr", issuerUri: "https://certs.example.gov.cn/agencies/sh-amr", certificateNumber: number, signer, status: { idx: 1, uri: "https://certs.example.gov.cn/status-lists/sh-amr/0" } };
  const flat = businessLicence.schema.examples[0] as Record<string, unknown>;
  const nested = marriageCertificate.schema.examples[0] as Record<string, any>;
  const paths = selectivePathsOf(marriageCertificate);
  const field = ["name", "gender", "date_of_birth", "id_number", "nationality"];
  const library = new SDJwtVcInstance({
    signer: async (data: string) => Buffer.from(await signer.sign(new TextEncoder().encode(data))).toString("base64url"),
    signAlg: "EdDSA",
    hasher: async (data: string | ArrayBuffer) => new Uint8Array(createHash("sha256").update(typeof data === "string" ? data : Buffer.from(data)).digest()),
    saltGenerator: () => createHash("sha256").update(String(Math.random())).digest("base64url").slice(0, 22),
  });
  const results = [
    await rate("ours, flat (business licence, 11 disclosures)", () => issueCredential({ ...common, vct: businessLicence.vct, vctIntegrity: businessLicence.integrity, claims: flat })),
    await rate("ours, nested (marriage v2, 17 disclosures)", () => issueCredential({ ...common, vct: marriageCertificate.vct, vctIntegrity: marriageCertificate.integrity, claims: nested, selectivePaths: paths })),
    await rate("@sd-jwt/sd-jwt-vc, nested (same frame)", () =>
      library.issue(
        { iss: common.issuerUri, vct: marriageCertificate.vct, iat: 1, ...nested } as any,
        { _sd: Object.keys(nested), spouses: { _sd: [0, 1], 0: { _sd: field }, 1: { _sd: field } } } as any,
        { header: { kid: signer.kid } },
      ),
    ),
  ];
  const rows: Row[] = results.map((r) => ({ metric: r.label, value: `${int(r.perSecond)}/s` }));
  process.stdout.write(`${formatTable(`issuing speed, one core, ${int(N)} credentials each`, rows)}\n`);
  writeResults(path.join(__dirname, "..", "test-artifacts", "bench", "nested-issuing.json"), { n: N, results });
}

main().catch((error) => {
  process.stderr.write(`bench:nested failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
