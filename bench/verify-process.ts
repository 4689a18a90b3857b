// A verifier as its own process (run by bench/verifying.ts): reads envelopes from an NDJSON file
// and verifies them against a registry, so its peak memory is the verifier's alone, not the
// issuing bench's. Mode "many": the file is read into an array and handed to one verifyMany (a
// caller holding every file). Mode "each": the file is streamed line by line into verifyEach.
// Prints one JSON line: { ms, total, valid, failures, maxRssBytes }.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { verifyEach, verifyMany, type Hex, type VerificationResult } from "@certchain/sdk";

export interface VerifyProcessResult {
  ms: number;
  total: number;
  valid: number;
  /** Up to ten "verdict: code" reasons with their counts, when not everything was valid. */
  failures: Record<string, number>;
  maxRssBytes: number;
}

async function* lines(file: string): AsyncGenerator<unknown> {
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) if (line !== "") yield JSON.parse(line);
}

async function main(): Promise<void> {
  const [mode, file, registryJson] = process.argv.slice(2);
  const registry = JSON.parse(registryJson) as { chainId: number; address: Hex; rpcUrl: string };
  // A generous chain-read deadline: on a loaded machine a 1,000-leaf status read can take longer
  // than the SDK's default 5 s, and the bench measures throughput, not the deadline.
  const options = { registries: [registry], registryTimeoutMs: 60_000 };
  let total = 0;
  let valid = 0;
  const failures: Record<string, number> = {};
  const count = (result: VerificationResult) => {
    total += 1;
    if (result.verdict === "valid") valid += 1;
    else {
      const key = `${result.verdict}: ${result.reason?.code ?? "?"} (${result.reason?.message ?? ""})`;
      if (key in failures || Object.keys(failures).length < 10) failures[key] = (failures[key] ?? 0) + 1;
    }
  };
  let ms: number;
  if (mode === "many") {
    // Read line by line: the whole file as one string (385 MB at 100k) is the bench's, not the verifier's.
    const envelopes: unknown[] = [];
    for await (const envelope of lines(file)) envelopes.push(envelope);
    const started = performance.now();
    const results = await verifyMany(envelopes, options);
    ms = performance.now() - started;
    results.forEach(count);
  } else if (mode === "each") {
    const started = performance.now();
    for await (const { result } of verifyEach(lines(file), options)) count(result);
    ms = performance.now() - started;
  } else {
    throw new Error(`mode must be "many" or "each", got ${JSON.stringify(mode)}`);
  }
  const result: VerifyProcessResult = { ms, total, valid, failures, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
