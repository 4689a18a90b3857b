// `npm run bench`: issuing primitives and verifyMany for BENCH_N certificates (default 100,000)
// against an out-of-process Hardhat node, the same for BENCH_SM2_N certificates signed SM2 (国密;
// default 10,000) beside them, the service end to end (the same number over HTTP batch
// requests until anchored) and the single-certificate latency with `Prefer: wait` (BENCH_LATENCY_N
// sequential POSTs, default 200). Prints a table with the targets of issue 12, every rate also as
// a multiple of the primitives figure of the same run (the machines are noisy: ratios compare
// across runs), and writes the figures to test-artifacts/bench/results.json. Exits non-zero on any failure.
import { measurePersonalDataCost } from "./personal-data";
import os from "node:os";
import { anchorBatches } from "./anchoring";
import { deployAndSeed } from "./chain-setup";
import { loadConfig } from "./config";
import { startHardhatNode, type HardhatNode } from "./hardhat-node";
import { runIssuing, type IssuingResult } from "./issuing";
import { processMaxRss, processPeakRss, startMemorySampler, type MemorySampler } from "./memory";
import { formatTable, int, mib, perSecond, seconds, type Row } from "./report";
import { writeResults } from "./results-file";
import { runVerifyMany } from "./verifying";
import { runHttpIssuing } from "./http-issuing";
import { runSingleLatency } from "./single-latency";

const AGENCY = { slug: "sh-amr", name: "上海市市场监督管理局" };
const log = (line: string) => process.stderr.write(`${line}\n`);

let node: HardhatNode | undefined;
const killNode = () => node?.kill();
// The node must never outlive the benchmark, however it ends.
process.on("exit", killNode);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    log(`\nbench: ${signal}, stopping the hardhat node`);
    killNode();
    process.exit(130);
  });
}

/**
 * How the issuing figure is made up. Sign + leaf run in the workers; each batch's tree and proofs
 * are built on the main thread while the workers sign later batches, so the total is one wall
 * time ("go" → last proof), and tree/proof times are main-thread time inside it.
 */
function issuingRows(issuing: IssuingResult, n: number, treeCount: number, batchSize: number): Row[] {
  return [
    { metric: "sign + leaf in workers (time in the SDK calls, summed over workers)", value: `${seconds(issuing.signCpuMs)} + ${seconds(issuing.leafCpuMs)}` },
    { metric: `tree build (${treeCount} tree${treeCount === 1 ? "" : "s"} of ≤ ${int(batchSize)} leaves, main thread, overlapped)`, value: seconds(issuing.treeMs) },
    { metric: "proofs (tree.proofOf, every leaf, main thread, overlapped)", value: seconds(issuing.proofMs) },
    { metric: "  trees + proofs after the last credential arrived (not overlapped)", value: seconds(issuing.tailMs) },
    { metric: "issuing CPU, all threads (µs per certificate)", value: `${seconds(issuing.cpuMs)} (${((issuing.cpuMs * 1000) / n).toFixed(1)} µs)` },
  ];
}

/** Issues, anchors and verifies `n` SM2-signed certificates exactly as the Ed25519 ones. */
async function runSm2Suite(n: number, batchSize: number, workerCount: number, rpcUrl: string, memory: MemorySampler) {
  log(`bench: SM2 (国密): issuing ${int(n)}…`);
  const issuing = await runIssuing({ n, batchSize, workerCount, issuer: AGENCY.slug, memory, log, algorithm: "SM2" });
  const seeded = await deployAndSeed(rpcUrl, { ...AGENCY, privateKey: issuing.privateKey });
  const anchoring = await anchorBatches({ provider: seeded.provider, operator: seeded.operator, registry: seeded.address, credentials: issuing.credentials, batches: issuing.batches });
  seeded.provider.destroy();
  issuing.credentials.length = 0;
  issuing.batches.length = 0;
  log(`bench: SM2 (国密): verifyMany over ${int(n)} envelopes…`);
  const verifying = await runVerifyMany({ envelopes: anchoring.envelopes, registry: { chainId: 31337, address: seeded.address, rpcUrl } });
  return { n, issuing, verifying, issuingRate: perSecond(n, issuing.totalMs), verifyRate: perSecond(n, verifying.many.ms) };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const { n, batchSize, targets } = config;
  const memory = startMemorySampler();
  log(`bench: ${int(n)} certificates, batches of ${int(batchSize)}, ${config.workers} signing workers, ${os.cpus().length} cores, node ${process.version}`);

  // 1. issuing primitives
  log("bench: issuing (sign + leaf in workers; trees and proofs on the main thread as batches complete)…");
  const issuing = await runIssuing({ n, batchSize, workerCount: config.workers, issuer: AGENCY.slug, memory, log });
  const issuingRate = perSecond(n, issuing.totalMs);
  const treeCount = issuing.batches.length;
  log(`bench: issued in ${seconds(issuing.totalMs)} (${int(issuingRate)}/s)`);

  // 2. anchoring + verifyMany against an out-of-process node
  log("bench: starting hardhat node…");
  const nodeStarted = performance.now();
  node = await startHardhatNode();
  const nodeStartMs = performance.now() - nodeStarted;
  log(`bench: node ${node.rpcUrl} (pid ${node.pid}) up in ${seconds(nodeStartMs)}; deploying and seeding…`);
  const seeded = await deployAndSeed(node.rpcUrl, { ...AGENCY, privateKey: issuing.privateKey });
  log(`bench: anchoring ${issuing.batches.length} roots…`);
  const anchoring = await anchorBatches({ provider: seeded.provider, operator: seeded.operator, registry: seeded.address, credentials: issuing.credentials, batches: issuing.batches });
  seeded.provider.destroy();
  // Only the envelopes are needed from here on.
  issuing.credentials.length = 0;
  issuing.batches.length = 0;

  log(`bench: verifyMany over ${int(n)} envelopes…`);
  const verifying = await runVerifyMany({ envelopes: anchoring.envelopes, registry: { chainId: 31337, address: seeded.address, rpcUrl: node.rpcUrl } });
  anchoring.envelopes.length = 0;
  const verifyRate = perSecond(n, verifying.many.ms);
  const streamRate = perSecond(n, verifying.each.ms);

  // 2b. the 国密 suite beside Ed25519: the same pipeline for BENCH_SM2_N certificates signed SM2
  // (SM3 disclosure digests), on a registry of its own on the same node.
  const sm2 = config.sm2Count > 0 ? await runSm2Suite(config.sm2Count, batchSize, config.workers, node.rpcUrl, memory) : undefined;
  const nodePeakRss = processPeakRss(node.pid);
  node.kill();
  await memory.stop();

  // Issuing, chain and verification figures: the whole table with BENCH_SERVICE=0, its first part otherwise.
  const gasPerCertificate = Number(anchoring.gasUsed) / n;
  const title = `certchain bench: ${int(n)} certificates (${new Date().toISOString()})`;
  const sdkRows: Row[] = [
    { metric: "certificates", value: int(n) },
    { metric: "signing workers (start-up, not timed)", value: `${config.workers} (${seconds(issuing.startupMs)})` },
    ...issuingRows(issuing, n, treeCount, batchSize),
    { metric: "issuing total, certificates/s (signed + leaf + in a tree + proof, wall)", value: `${int(issuingRate)}/s (${seconds(issuing.totalMs)})`, ratio: 1, target: `≥ ${int(targets.issuingPerSecond)}/s`, met: issuingRate >= targets.issuingPerSecond },
    { metric: "peak RSS, issuing (process incl. workers)", value: mib(issuing.peakRss) },
    { metric: "hardhat node start-up", value: seconds(nodeStartMs) },
    { metric: "anchor transactions", value: int(anchoring.transactions) },
    { metric: "anchor gas total / per certificate", value: `${int(Number(anchoring.gasUsed))} / ${gasPerCertificate.toFixed(2)}` },
    { metric: "verifyMany, certificates/s", value: `${int(verifyRate)}/s (${seconds(verifying.many.ms)})`, ratio: verifyRate / issuingRate, target: `≥ ${int(targets.verifyPerSecond)}/s`, met: verifyRate >= targets.verifyPerSecond },
    { metric: "valid verdicts (verifyMany / verifyEach)", value: `${int(verifying.many.valid)} / ${int(verifying.each.valid)} of ${int(n)}`, target: "all", met: verifying.failures.length === 0 },
    { metric: "peak RSS, verifyMany process (envelopes in an array)", value: mib(verifying.many.maxRssBytes), target: `≤ ${mib(targets.verifyPeakRssBytes)}`, met: verifying.many.maxRssBytes <= targets.verifyPeakRssBytes },
    { metric: "verifyEach streamed from an NDJSON file, certificates/s", value: `${int(streamRate)}/s (${seconds(verifying.each.ms)})`, ratio: streamRate / issuingRate },
    { metric: "peak RSS, verifyEach process (streamed)", value: mib(verifying.each.maxRssBytes), target: `≤ ${mib(targets.verifyPeakRssBytes)}`, met: verifying.each.maxRssBytes <= targets.verifyPeakRssBytes },
    ...(sm2 === undefined
      ? [{ metric: "SM2 (国密) issuing and verifying", value: "skipped (BENCH_SM2_N=0)" }]
      : [
          { metric: `SM2 (国密): issuing total, certificates/s (${int(sm2.n)} certificates)`, value: `${int(sm2.issuingRate)}/s (${seconds(sm2.issuing.totalMs)}), ${(sm2.issuingRate / issuingRate).toFixed(2)}× Ed25519`, ratio: sm2.issuingRate / issuingRate },
          { metric: "SM2 (国密): issuing CPU, all threads (µs per certificate)", value: `${seconds(sm2.issuing.cpuMs)} (${((sm2.issuing.cpuMs * 1000) / sm2.n).toFixed(1)} µs)` },
          { metric: "SM2 (国密): verifyMany, certificates/s", value: `${int(sm2.verifyRate)}/s (${seconds(sm2.verifying.many.ms)}), ${(sm2.verifyRate / verifyRate).toFixed(2)}× Ed25519`, ratio: sm2.verifyRate / issuingRate },
          { metric: "SM2 (国密): valid verdicts (verifyMany / verifyEach)", value: `${int(sm2.verifying.many.valid)} / ${int(sm2.verifying.each.valid)} of ${int(sm2.n)}`, target: "all", met: sm2.verifying.failures.length === 0 },
        ]),
    { metric: "peak RSS, hardhat node", value: mib(nodePeakRss) },
    { metric: "max RSS, bench process lifetime (issuing)", value: mib(processMaxRss()) },
  ];

  // 3. the service end to end: HTTP batch requests until every certificate is anchored
  // (BENCH_SERVICE=0 skips it, for experiments on the SDK's figures only).
  if (!config.service) {
    console.log(formatTable(title, [...sdkRows, { metric: "service: HTTP batch issuing → anchored", value: "skipped (BENCH_SERVICE=0)" }]));
    const failures = [...verifying.failures, ...(sm2?.verifying.failures ?? [])];
    if (failures.length > 0) throw new Error(failures.join("\n"));
    return;
  }
  const http = await runHttpIssuing({ n, log });
  const httpRate = perSecond(http.issued, http.ms);
  const httpGasPerCertificate = Number(http.anchorGas) / http.issued;
  const httpRatio = httpRate / issuingRate;
  const httpMet = httpRate >= targets.httpIssuingPerSecond && httpRatio >= targets.httpToIssuingRatio;

  // 4. one certificate at a time, each waiting for its anchor (default batching)
  const latency = config.latencyCount > 0 ? await runSingleLatency({ count: config.latencyCount, log }) : undefined;
  const latencyMet = latency !== undefined && latency.p50Ms <= targets.singleP50Ms && latency.p99Ms <= targets.singleP99Ms;

  // 5. encryption at rest (issue 21): what sealing and opening a certificate's personal data costs, against the service's CPU per certificate
  const atRest = measurePersonalDataCost();
  const serviceUsPerCertificate = (http.serviceCpuMs * 1000) / http.issued;
  const sealShare = atRest[0].sealUs / serviceUsPerCertificate;

  const rows: Row[] = [
    ...sdkRows,
    { metric: "service: all batch requests answered (durably accepted)", value: seconds(http.acknowledgedMs) },
    { metric: "service: HTTP batch issuing → anchored, certificates/s", value: `${int(httpRate)}/s (${seconds(http.ms)})`, ratio: httpRatio, target: `≥ ${int(targets.httpIssuingPerSecond)}/s, ≥ ${targets.httpToIssuingRatio}×`, met: httpMet },
    { metric: "service: CPU time (service process, all threads)", value: `${seconds(http.serviceCpuMs)} (${((http.serviceCpuMs * 1000) / http.issued).toFixed(0)} µs/certificate)` },
    {
      metric: "service: personal data at rest, seal / open per certificate",
      value: atRest.map((r) => `${r.cipher} ${r.sealUs.toFixed(0)} / ${r.openUs.toFixed(0)} µs`).join("; ") + ` (seal ${(sealShare * 100).toFixed(1)} % of service CPU)`,
      target: "seal ≤ 10 % of service CPU per certificate",
      met: sealShare <= 0.1,
    },
    { metric: "service: anchor transactions (per 1,000 certificates)", value: `${int(http.anchorTransactions)} (${((http.anchorTransactions * 1000) / http.issued).toFixed(2)})`, target: "≤ 1", met: (http.anchorTransactions * 1000) / http.issued <= 1 },
    { metric: "service: anchor gas per certificate", value: httpGasPerCertificate.toFixed(2), target: `≤ ${targets.gasPerCertificate}`, met: httpGasPerCertificate <= targets.gasPerCertificate },
    { metric: "service: peak RSS (service process)", value: mib(http.servicePeakRss), target: `≤ ${mib(targets.servicePeakRssBytes)}`, met: (http.servicePeakRss ?? Infinity) <= targets.servicePeakRssBytes },
    latency === undefined
      ? { metric: "single POST, Prefer: wait → anchored", value: "skipped (BENCH_LATENCY_N=0)" }
      : {
          metric: `single POST, Prefer: wait → anchored, p50 / p99 (${latency.count} sequential)`,
          value: `${seconds(latency.p50Ms)} / ${seconds(latency.p99Ms)}`,
          target: `≤ ${seconds(targets.singleP50Ms)} / ≤ ${seconds(targets.singleP99Ms)}`,
          met: latencyMet,
        },
  ];
  console.log(formatTable(title, rows));

  writeResults(config.resultsFile, {
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
    n,
    batchSize,
    workers: config.workers,
    issuing: {
      workerStartupMs: issuing.startupMs,
      signWallMs: issuing.signWallMs,
      cpuMs: issuing.cpuMs,
      tailMs: issuing.tailMs,
      signWorkerMs: issuing.signCpuMs,
      leafWorkerMs: issuing.leafCpuMs,
      treeMs: issuing.treeMs,
      proofMs: issuing.proofMs,
      totalMs: issuing.totalMs,
      perSecond: issuingRate,
      target: targets.issuingPerSecond,
      met: issuingRate >= targets.issuingPerSecond,
      peakRssBytes: issuing.peakRss,
    },
    chain: { nodeStartMs, anchorTransactions: anchoring.transactions, anchorGas: anchoring.gasUsed, gasPerCertificate, setupGas: seeded.setupGas, anchorMs: anchoring.ms, nodePeakRssBytes: nodePeakRss },
    verifyMany: { ms: verifying.many.ms, perSecond: verifyRate, ratioToIssuing: verifyRate / issuingRate, valid: verifying.many.valid, target: targets.verifyPerSecond, met: verifyRate >= targets.verifyPerSecond, peakRssBytes: verifying.many.maxRssBytes, peakRssTargetBytes: targets.verifyPeakRssBytes },
    verificationFailures: [...verifying.failures, ...(sm2?.verifying.failures ?? [])],
    sm2:
      sm2 === undefined
        ? null
        : { n: sm2.n, issuingMs: sm2.issuing.totalMs, issuingCpuMs: sm2.issuing.cpuMs, issuingPerSecond: sm2.issuingRate, verifyManyMs: sm2.verifying.many.ms, verifyPerSecond: sm2.verifyRate, verifyEachMs: sm2.verifying.each.ms, valid: sm2.verifying.many.valid },
    verifyEach: { ms: verifying.each.ms, perSecond: streamRate, ratioToIssuing: streamRate / issuingRate, valid: verifying.each.valid, peakRssBytes: verifying.each.maxRssBytes },
    processMaxRssBytes: processMaxRss(),
    service: {
      ms: http.ms,
      acknowledgedMs: http.acknowledgedMs,
      cpuMs: http.serviceCpuMs,
      issued: http.issued,
      perSecond: httpRate,
      ratioToIssuing: httpRatio,
      target: targets.httpIssuingPerSecond,
      ratioTarget: targets.httpToIssuingRatio,
      met: httpMet,
      anchorTransactions: http.anchorTransactions,
      anchorGas: http.anchorGas,
      gasPerCertificate: httpGasPerCertificate,
      peakRssBytes: http.servicePeakRss,
      peakRssTargetBytes: targets.servicePeakRssBytes,
    },
    singleLatency: latency === undefined ? null : { ...latency, targetP50Ms: targets.singleP50Ms, targetP99Ms: targets.singleP99Ms, met: latencyMet },
  });
  log(`bench: results written to ${config.resultsFile}`);
  const failures = [...verifying.failures, ...(sm2?.verifying.failures ?? [])];
  if (failures.length > 0) throw new Error(failures.join("\n"));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    killNode();
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(`\nbench FAILED: ${message}`);
    process.exit(1);
  },
);
