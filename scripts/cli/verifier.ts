import { trustProxy as parseTrustProxy, type TrustProxy } from "../../server/config";
import { intOption, parse } from "./args";
import type { Command } from "./command";
import { readTrustListFile } from "./connection";
import { t, type Text } from "./i18n";
import { EXIT, UsageError, err, out } from "./output";

// As server/verifier/app.ts's default; the server is loaded only once the options are known good.
const DEFAULT_RATE_LIMIT = 3_000;

const HELP: Text = {
  en: `Usage: certchain verifier --registries <file> [--port <n>] [--host <address>] [options]

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
  --min-confirmations <n>  blocks an anchor needs before a certificate is valid (fewer: pending) [1]
  --trust-proxy <value> behind a load balancer: true, a hop count, or the proxies' addresses /
                        CIDRs (comma-separated); the client IP is then read from X-Forwarded-For [false]
  --log-level <level>   fatal, error, warn, info, debug [info]

Stops on Ctrl-C (SIGINT) or SIGTERM.`,
  "zh-CN": `用法：certchain verifier --registries <文件> [--port <端口>] [--host <地址>] [选项]

运行一个独立、只读的证照核验服务，供通过 HTTP 调用的业务系统使用：只按 <文件> 中认可的
登记簿核验证照，不持有密钥、没有数据库、没有签发接口。它只访问这些登记簿的 JSON-RPC 地址
（分享链接和尚未上链的证照只给出核验结论，绝不去打开），每次链上读取都有时限。

  POST /v1/verify          { "envelope": <证照文件，对象或 JSON 文本> } → 核验结论
  POST /v1/verify/batch    { "items": [ … 最多 10,000 份 ] } → { "results": [ … 顺序不变 ] }
  GET  /healthz            进程在运行
  GET  /readyz             每个登记簿都可访问、链和登记簿标识都对（否则 503，并指出是哪个地区出了问题）
  GET  /openapi.json       接口说明和示例（/docs 可浏览）

选项：
  --registries <文件>   认可的登记簿清单（必填）：JSON 数组
                        [{ name, id, chainId, address, rpcUrl | rpcUrls, genesisHash?, timeoutMs? }]
                        （\`npm start\` 会为本地开发链写出一份：data/registries.json）
  --port <端口>         [3100]
  --host <地址>         [127.0.0.1]；0.0.0.0 表示在所有网卡上监听
  --timeout <毫秒>      未单独设置 timeoutMs 的登记簿，每次链上读取的时限 [5000]
  --rate-limit <次数>   每个客户端 IP 每分钟的请求数；0 表示不限制 [${DEFAULT_RATE_LIMIT}]
  --min-confirmations <n>  上链记录需要的区块确认数，不足时结论为待上链 [1]
  --trust-proxy <值>    部署在负载均衡之后时：true、代理层数，或代理的地址 / CIDR（逗号分隔）；
                        客户端 IP 取自 X-Forwarded-For [false]
  --log-level <级别>    fatal、error、warn、info、debug [info]

按 Ctrl-C（SIGINT）或 SIGTERM 停止。`,
};

const M = {
  required: { en: "the trust list is required: --registries <file> (see: certchain verifier --help)", "zh-CN": "必须给出认可的登记簿清单：--registries <文件>（见：certchain verifier --help）" },
  logLevel: { en: "--log-level must be one of {levels}", "zh-CN": "--log-level 应为以下之一：{levels}" },
  listen: { en: "cannot listen on {host}:{port}: {problem}", "zh-CN": "无法在 {host}:{port} 上监听：{problem}" },
  listening: { en: "certchain verifier listening on {url} (OpenAPI: {url}/openapi.json)", "zh-CN": "certchain verifier 正在 {url} 上服务（接口说明：{url}/openapi.json）" },
  trusting: { en: "trusting {count} registries:", "zh-CN": "认可 {count} 个登记簿：" },
  entry: { en: "  {name}  chain {chainId}, {address}, id {id}", "zh-CN": "  {name}  链 {chainId}，{address}，标识 {id}" },
  notReady: { en: "warning: {name} is not ready: {why}", "zh-CN": "警告：{name} 暂不可用：{why}" },
} satisfies Record<string, Text>;

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
      "min-confirmations": { type: "string" },
      "trust-proxy": { type: "string" },
      "log-level": { type: "string" },
    },
    false,
  );
  void positionals;
  if (!values.registries) throw new UsageError(t(M.required));
  const port = intOption("port", values.port, 3100, 0, 65_535);
  const host = values.host ?? "127.0.0.1";
  const registryTimeoutMs = intOption("timeout", values.timeout, 5_000, 1, 120_000);
  const rateLimit = intOption("rate-limit", values["rate-limit"], DEFAULT_RATE_LIMIT, 0, 1_000_000);
  const minConfirmations = intOption("min-confirmations", values["min-confirmations"], 1, 1, 1_000_000);
  let trustProxy: TrustProxy = false;
  try {
    trustProxy = values["trust-proxy"] === undefined ? false : parseTrustProxy(values["trust-proxy"]);
  } catch (error) {
    throw new UsageError((error as Error).message.replace("TRUST_PROXY", "--trust-proxy"));
  }
  const level = values["log-level"] ?? "info";
  if (!LOG_LEVELS.has(level)) throw new UsageError(t(M.logLevel, { levels: [...LOG_LEVELS].join(", ") }));

  const registries = readTrustListFile(values.registries, "--registries");
  const { createVerifier } = require("../../server/verifier/verifier") as typeof import("../../server/verifier/verifier");
  const { buildVerifierApp } = require("../../server/verifier/app") as typeof import("../../server/verifier/app");
  const verifier = createVerifier(registries, { registryTimeoutMs, minConfirmations });
  const app = await buildVerifierApp(verifier, {
    logger: { level },
    rateLimit: rateLimit === 0 ? false : { max: rateLimit, timeWindowMs: 60_000 },
    trustProxy,
  });
  try {
    await app.listen({ port, host });
  } catch (error) {
    await app.close();
    throw new UsageError(t(M.listen, { host, port, problem: (error as Error).message }));
  }
  const address = app.server.address();
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${typeof address === "object" && address ? address.port : port}`;
  out(t(M.listening, { url }));
  out(t(M.trusting, { count: registries.length }));
  for (const r of registries) out(t(M.entry, { name: r.name!, chainId: r.chainId, address: r.address, id: r.id! }));

  // Say at once which registry cannot be read (the service runs anyway: /readyz keeps telling).
  const readiness = await verifier.readiness();
  for (const registry of readiness.registries.filter((r) => !r.ready)) {
    err(t(M.notReady, { name: registry.name, why: registry.endpoints.map((e) => e.error?.message ?? "").join("; ") }));
  }

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await app.close();
  return EXIT.OK;
}

export const verifierCommand: Command = {
  name: "verifier",
  get help() {
    return t(HELP);
  },
  run,
};
