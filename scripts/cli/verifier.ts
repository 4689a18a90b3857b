import { intOption, parse } from "./args";
import type { Command } from "./command";
import { readTrustListFile } from "./connection";
import { EXIT, UsageError, err, out } from "./output";

// As server/verifier/app.ts's default; the server is loaded only once the options are known good.
const DEFAULT_RATE_LIMIT = 600;

const HELP = `Usage: certchain verifier --registries <file> [--port <n>] [--host <address>] [options]

Runs a standalone, read-only verification service for systems that call HTTP: it verifies
certificate files against the registries in <file> only, and holds no keys, no database and no
issuing routes. It fetches nothing but those registries' JSON-RPC endpoints (share links and
pending certificates are answered with a verdict, never opened), each read within a deadline.

  POST /v1/verify          { "envelope": <certificate file, object or JSON text> } → verdict
  POST /v1/verify/batch    { "items": [ … up to 10,000 ] } → { "results": [ … in order ] }
  GET  /healthz            the process is up
  GET  /readyz             every registry reachable, on the right chain, with the right id (503 and which is down otherwise)
  GET  /openapi.json       the API, with examples (browsable at /docs)

Options:
  --registries <file>   the trust list (required): a JSON array of
                        { name, id, chainId, address, rpcUrl | rpcUrls, genesisHash?, timeoutMs? }
                        (\`npm start\` writes one for its dev chain: data/registries.json)
  --port <n>            [3100]
  --host <address>      [127.0.0.1]; 0.0.0.0 to listen on every interface
  --timeout <ms>        deadline of each chain read, for registries without their own timeoutMs [5000]
  --rate-limit <n>      requests per minute per client IP; 0 turns it off [${DEFAULT_RATE_LIMIT}]
  --log-level <level>   fatal, error, warn, info, debug [info]

Stops on Ctrl-C (SIGINT) or SIGTERM.`;

const LOG_LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    "verifier",
    argv,
    {
      registries: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      timeout: { type: "string" },
      "rate-limit": { type: "string" },
      "log-level": { type: "string" },
    },
    false,
  );
  void positionals;
  if (!values.registries) throw new UsageError("the trust list is required: --registries <file> (see: certchain verifier --help)");
  const port = intOption("port", values.port, 3100, 0, 65_535);
  const host = values.host ?? "127.0.0.1";
  const registryTimeoutMs = intOption("timeout", values.timeout, 5_000, 1, 120_000);
  const rateLimit = intOption("rate-limit", values["rate-limit"], DEFAULT_RATE_LIMIT, 0, 1_000_000);
  const level = values["log-level"] ?? "info";
  if (!LOG_LEVELS.has(level)) throw new UsageError(`--log-level must be one of ${[...LOG_LEVELS].join(", ")}`);

  const registries = readTrustListFile(values.registries, "--registries");
  const { createVerifier } = require("../../server/verifier/verifier") as typeof import("../../server/verifier/verifier");
  const { buildVerifierApp } = require("../../server/verifier/app") as typeof import("../../server/verifier/app");
  const verifier = createVerifier(registries, { registryTimeoutMs });
  const app = await buildVerifierApp(verifier, {
    logger: { level },
    rateLimit: rateLimit === 0 ? false : { max: rateLimit, timeWindowMs: 60_000 },
  });
  try {
    await app.listen({ port, host });
  } catch (error) {
    await app.close();
    throw new UsageError(`cannot listen on ${host}:${port}: ${(error as Error).message}`);
  }
  const address = app.server.address();
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${typeof address === "object" && address ? address.port : port}`;
  out(`certchain verifier listening on ${url} (OpenAPI: ${url}/openapi.json)`);
  out(`trusting ${registries.length} ${registries.length === 1 ? "registry" : "registries"}:`);
  for (const r of registries) out(`  ${r.name}  chain ${r.chainId}, ${r.address}, id ${r.id}`);

  // Say at once which registry cannot be read (the service runs anyway: /readyz keeps telling).
  const readiness = await verifier.readiness();
  for (const registry of readiness.registries.filter((r) => !r.ready)) {
    err(`warning: ${registry.name} is not ready: ${registry.endpoints.map((e) => e.error?.message ?? "").join("; ")}`);
  }

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await app.close();
  return EXIT.OK;
}

export const verifierCommand: Command = { name: "verifier", help: HELP, run };
