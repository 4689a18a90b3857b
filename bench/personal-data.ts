import { randomBytes } from "node:crypto";
import { createPersonalDataCipher, DATA_CIPHERS, type DataCipherName } from "../server/lib/personal-data-cipher";

/**
 * What encryption at rest costs the issuing service per certificate: sealing its credential under
 * a data key of its own (and wrapping that key) when it is written, opening it when it is read.
 * In process, on credentials of the size the service issues (~1.5 KB), for each cipher.
 * `npx ts-node --transpile-only bench/personal-data.ts` runs it alone.
 */
export function measurePersonalDataCost(n = 20_000, bytes = 1_500): { cipher: DataCipherName; sealUs: number; openUs: number }[] {
  const credential = randomBytes(Math.ceil((bytes * 3) / 4)).toString("base64url").slice(0, bytes);
  return (Object.keys(DATA_CIPHERS) as DataCipherName[]).map((name) => {
    const cipher = createPersonalDataCipher(randomBytes(32), name);
    for (let i = 0; i < 500; i++) cipher.open(`w${i}`, cipher.seal(`w${i}`, credential)); // warm up
    let started = process.cpuUsage();
    const sealed = Array.from({ length: n }, (_, i) => cipher.seal(`c${i}`, credential));
    const sealCpu = process.cpuUsage(started);
    started = process.cpuUsage();
    for (let i = 0; i < n; i++) cipher.open(`c${i}`, sealed[i]);
    const openCpu = process.cpuUsage(started);
    return { cipher: name, sealUs: (sealCpu.user + sealCpu.system) / n, openUs: (openCpu.user + openCpu.system) / n };
  });
}

if (require.main === module) {
  for (const row of measurePersonalDataCost()) console.log(`${row.cipher}: seal ${row.sealUs.toFixed(1)} µs, open ${row.openUs.toFixed(1)} µs per certificate`);
}
