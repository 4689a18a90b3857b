import { readFileSync } from "node:fs";
import path from "node:path";

/** The compiled registry (run `hardhat compile` first; `npm start` and `npm test` do). */
export function loadRegistryArtifact(): { abi: unknown[]; bytecode: string } {
  const file = path.join(__dirname, "..", "..", "artifacts", "contracts", "CertchainRegistry.sol", "CertchainRegistry.json");
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new Error(`contract artifact missing at ${file}: run \`npx hardhat compile\``, { cause });
  }
}
