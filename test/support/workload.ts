import { findTypeById, verifyMany, type Envelope, type Hex, type VerificationResult } from "@certchain/sdk";
import { api, type Demo } from "./service-process";

/** A certificate the service acknowledged (a 2xx reply named it). */
export interface Acknowledged {
  id: string;
  agency: string;
}

const tokenOf = (demo: Demo, agency: string) => demo.agencies.find((a) => a.id === agency)!.token;
const itemFor = (demo: Demo, agency: string) => {
  const type = demo.agencies.find((a) => a.id === agency)!.types[0];
  return { type, claims: findTypeById(type)!.schema.examples![0] };
};

/** One batch request for `agency`; the ids of the certificates acknowledged. */
export async function issueBatch(demo: Demo, agency: string, size: number): Promise<Acknowledged[]> {
  const response = await api(demo, "POST", "/v1/certificates/batch", tokenOf(demo, agency), { items: Array.from({ length: size }, () => itemFor(demo, agency)) }, 30_000);
  if (response.status !== 200) throw new Error(`issue ${agency}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.results.filter((r: any) => r.ok).map((r: any) => ({ id: r.id, agency }));
}

/** Every demo agency issues `requests` batches of `size` at the same time (their anchors interleave). */
export async function issueConcurrently(demo: Demo, requests: number, size: number): Promise<Acknowledged[]> {
  const perAgency = await Promise.all(
    demo.agencies.map(async (agency) => {
      const acknowledged: Acknowledged[] = [];
      for (let i = 0; i < requests; i++) acknowledged.push(...(await issueBatch(demo, agency.id, size)));
      return acknowledged;
    }),
  );
  return perAgency.flat();
}

/**
 * Issuers that keep going until stopped, one per agency, each sending batches back to back and
 * recording what was acknowledged. A failed request (the service is down or refuses) is
 * retried after a pause: it acknowledged nothing.
 */
export function startIssuers(demo: () => Demo, options: { size: (agency: string) => number; pauseMs?: number }) {
  const acknowledged: Acknowledged[] = [];
  let failures = 0;
  let stopped = false;
  const loops = demo().agencies.map(async (agency) => {
    while (!stopped) {
      try {
        acknowledged.push(...(await issueBatch(demo(), agency.id, options.size(agency.id))));
      } catch {
        failures += 1;
        await new Promise((r) => setTimeout(r, 250));
      }
      if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  });
  return {
    acknowledged,
    failures: () => failures,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** GETs every certificate until its envelope is anchored (in parallel, a few at a time). */
export async function anchoredEnvelopes(demo: Demo, acknowledged: readonly Acknowledged[], timeoutMs = 120_000): Promise<Envelope[]> {
  const deadline = Date.now() + timeoutMs;
  const envelopes: Envelope[] = new Array(acknowledged.length);
  let next = 0;
  const worker = async () => {
    while (next < acknowledged.length) {
      const index = next++;
      const { id, agency } = acknowledged[index];
      for (;;) {
        const { status, body } = await api(demo, "GET", `/v1/certificates/${id}`, tokenOf(demo, agency)).catch(() => ({ status: 0, body: undefined }));
        if (status === 200 && body.envelope.anchor.status === "anchored") {
          envelopes[index] = body.envelope;
          break;
        }
        if (status !== 200 && status !== 503 && status !== 0) throw new Error(`GET ${id}: ${status} ${JSON.stringify(body)}`);
        if (Date.now() > deadline) throw new Error(`certificate ${id} (${agency}) not anchored in time (last: ${status} ${JSON.stringify(body?.envelope?.anchor ?? body)})`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return envelopes;
}

export const registriesOf = (demo: Demo) => [{ chainId: demo.chainId, address: demo.registry as Hex, rpcUrl: demo.rpcUrl }];

/**
 * Verifies with the SDK against the chain; returns the results and the failures, described.
 * `unverifiable` (the chain could not be read) is asked again, twice at most: a verifier whose
 * kept-alive connection went to the node before a restart sees one failed read, and verifyMany
 * then reports its whole call unverifiable. That is a fact about the read, not the certificate.
 */
export async function verifyAgainstChain(demo: Demo, envelopes: readonly Envelope[]): Promise<{ results: VerificationResult[]; failures: string[] }> {
  const results = await verifyMany(envelopes as Envelope[], { registries: registriesOf(demo) });
  for (let attempt = 0; attempt < 2; attempt++) {
    const again = results.flatMap((r, i) => (r.verdict === "unverifiable" ? [i] : []));
    if (again.length === 0) break;
    await new Promise((r) => setTimeout(r, 1_000));
    const retried = await verifyMany(again.map((i) => envelopes[i]), { registries: registriesOf(demo) });
    again.forEach((index, j) => (results[index] = retried[j]));
  }
  const failures = results.flatMap((r, i) => (r.verdict === "valid" ? [] : [`#${i}: ${r.verdict} ${r.reason?.code ?? ""} ${r.reason?.message ?? ""}`]));
  if (results.some((r) => r.verdict === "unverifiable")) failures.push(`the node at ${demo.rpcUrl} answers eth_blockNumber with: ${await probe(demo.rpcUrl)}`);
  return { results, failures };
}

async function probe(url: string): Promise<string> {
  try {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }), signal: AbortSignal.timeout(10_000) });
    return `${response.status} ${await response.text()}`;
  } catch (error) {
    return `${(error as Error).message} ${(error as { cause?: Error }).cause?.message ?? ""}`;
  }
}
