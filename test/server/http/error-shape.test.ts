import { expect } from "chai";
import { connect } from "node:net";
import type { FastifyInstance } from "fastify";
import { API_ERRORS } from "../../../server/errors";
import { buildTestApp, bearer, type TestApp } from "./support";

interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes `request` as bytes to a real socket and reads the reply: inject cannot reproduce what
 * Node's HTTP parser refuses (431, malformed request lines, timeouts) nor fastify's router errors
 * as a client meets them.
 */
function send(port: number, request: string | ((write: (text: string) => void) => void), timeoutMs = 10_000): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete reply within ${timeoutMs} ms: ${Buffer.concat(chunks).toString("utf8").slice(0, 300)}`));
    }, timeoutMs);
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", () => undefined); // the server may reset after answering
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      if (split < 0) return reject(new Error(`not an HTTP reply: ${JSON.stringify(text.slice(0, 200))}`));
      const [statusLine, ...lines] = text.slice(0, split).split("\r\n");
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
      let body = text.slice(split + 4);
      if (/chunked/i.test(headers["transfer-encoding"] ?? "")) body = body.replace(/^[0-9a-f]+\r\n|\r\n[0-9a-f]+\r\n|\r\n0\r\n\r\n$/gi, "");
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body });
    });
    if (typeof request === "string") socket.write(request);
    else request((text) => socket.write(text));
  });
}

const get = (path: string, extra = "") => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${extra}Connection: close\r\n\r\n`;
const post = (path: string, body: string, { type = "application/json", extra = "" } = {}) =>
  `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`;

function expectShape(reply: RawReply, status: number, code: string, what: string): void {
  expect(reply.status, `${what}: ${reply.body}`).to.equal(status);
  expect(reply.headers["content-type"], what).to.match(/^application\/json/);
  const parsed = JSON.parse(reply.body);
  expect(Object.keys(parsed), what).to.deep.equal(["error"]);
  expect(parsed.error.code, what).to.equal(code);
  expect(Object.hasOwn(API_ERRORS, code), `${code} is in server/errors.ts`).to.equal(true);
  expect(API_ERRORS[code as keyof typeof API_ERRORS][0], `${code}'s status`).to.equal(status);
  expect(parsed.error.message, what).to.be.a("string").that.is.not.empty;
  expect(Object.keys(parsed.error).filter((k) => k !== "details"), what).to.deep.equal(["code", "message"]);
}

/**
 * What cannot follow the shape, by design: a reply already under way on a connection (a
 * pipelined request failing mid-reply) can only be cut off, and a client that disconnects gets
 * nothing. Everything a client can be answered is answered as `{ error: { code, message } }`.
 */
describe("HTTP: one error shape for everything fastify and Node answer themselves (real port)", function () {
  this.timeout(120_000);
  let t: TestApp;
  let port: number;
  let limitedPort: number;
  let slowPort: number;

  const listen = async (app: FastifyInstance) => {
    await app.listen({ port: 0, host: "127.0.0.1" });
    return (app.server.address() as { port: number }).port;
  };

  before(async () => {
    t = await buildTestApp();
    const web = { registry: { chainId: 31337, address: t.registry, name: "test" }, upstreamRpcUrl: "http://127.0.0.1:9" };
    port = await listen(await t.appWith({ rateLimit: false, web }));
    limitedPort = await listen(await t.appWith({ rateLimit: { max: 1, timeWindowMs: 60_000 }, web }));
    slowPort = await listen(await t.appWith({ rateLimit: false, requestTimeoutMs: 400 }));
  });
  after(async () => t?.close());

  const withToken = (path: string) => () => get(path, `Authorization: ${bearer(t.tokens.amr).authorization}\r\n`);
  const table: { what: string; request: string | (() => string); status: number; code: string }[] = [
    { what: "bad percent-encoding in the path", request: get("/v1/certificates/%zz"), status: 400, code: "URL_INVALID" },
    { what: "a path segment over 200 characters", request: get(`/v1/certificates/${"a".repeat(250)}`), status: 414, code: "URI_TOO_LONG" },
    { what: "a 150-character id reaches the route's schema (fastify's default limit was 100)", request: withToken(`/v1/certificates/${"a".repeat(150)}`), status: 400, code: "VALIDATION_FAILED" },
    { what: "a request line over 16 KiB", request: get(`/v1/types?q=${"a".repeat(20_000)}`), status: 431, code: "HEADERS_TOO_LARGE" },
    { what: "a header over 16 KiB", request: get("/v1/types", `X-Padding: ${"a".repeat(20_000)}\r\n`), status: 431, code: "HEADERS_TOO_LARGE" },
    { what: "an unknown HTTP method", request: "BREW /v1/types HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", status: 400, code: "BAD_REQUEST" },
    { what: "a line that is not HTTP", request: "HELLO\r\n\r\n", status: 400, code: "BAD_REQUEST" },
    { what: "a non-numeric Content-Length", request: "POST /v1/verify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}", status: 400, code: "BAD_REQUEST" },
    {
      what: "Content-Length and Transfer-Encoding together (request smuggling)",
      request: "POST /v1/verify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
      status: 400,
      code: "BAD_REQUEST",
    },
    { what: "a broken chunk", request: "POST /v1/verify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", status: 400, code: "BAD_REQUEST" },
    { what: "an Expect other than 100-continue", request: post("/v1/verify", "{}", { extra: "Expect: tea\r\n" }), status: 417, code: "EXPECTATION_FAILED" },
    { what: "an unknown route", request: get("/v2/nothing"), status: 404, code: "NOT_FOUND" },
    { what: "a known path with another method (no 405: a 404, as for any unknown route)", request: "DELETE /v1/types HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", status: 404, code: "NOT_FOUND" },
    { what: "a method Node knows and no route uses", request: "PROPFIND /v1/types HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", status: 404, code: "NOT_FOUND" },
    { what: "an unparsable Content-Type", request: post("/v1/verify", "{}", { type: ";;;" }), status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
    { what: "a body that is not JSON", request: post("/v1/verify", "envelope=x", { type: "application/x-www-form-urlencoded" }), status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
    { what: "malformed JSON", request: post("/v1/verify", '{"envelope":'), status: 400, code: "INVALID_JSON" },
    { what: "an empty JSON body", request: post("/v1/verify", ""), status: 400, code: "INVALID_JSON" },
    { what: "__proto__ in JSON (valid JSON, refused for the key)", request: post("/v1/verify", '{"__proto__":{"x":1}}'), status: 400, code: "JSON_FORBIDDEN_KEY" },
    {
      what: "constructor.prototype in a batch item (issue 21, finding 7: it was INVALID_JSON, 'not valid JSON')",
      request: () => post("/v1/certificates/batch", '{"items":[{"type":"business-licence","claims":{"constructor":{"prototype":{"x":1}}}}]}', { extra: `Authorization: ${bearer(t.tokens.amr).authorization}\r\n` }),
      status: 400,
      code: "JSON_FORBIDDEN_KEY",
    },
    { what: "a request without Host (issue 21, finding 8: Node's bare 400, empty and chunked)", request: "GET /v1/types HTTP/1.1\r\nConnection: close\r\n\r\n", status: 400, code: "HOST_MISSING" },
    { what: "JSON in UTF-16 (issue 21, finding 8: it was read as UTF-8 and issued)", request: post("/v1/verify", "{}", { type: "application/json; charset=utf-16" }), status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
    {
      what: "an issue request declaring charset=utf-16",
      request: () => post("/v1/certificates", '{"type":"business-licence","claims":{}}', { type: "application/json; charset=utf-16", extra: `Authorization: ${bearer(t.tokens.amr).authorization}\r\n` }),
      status: 415,
      code: "UNSUPPORTED_MEDIA_TYPE",
    },
    { what: "JSON nested 40 levels", request: post("/v1/verify", `{"envelope":${"[".repeat(40)}${"]".repeat(40)}}`), status: 400, code: "JSON_TOO_DEEP" },
    { what: "a body over the route's limit", request: post("/v1/verify", `{"envelope":"${"x".repeat(1_100_000)}"}`), status: 413, code: "PAYLOAD_TOO_LARGE" },
    { what: "a validation failure", request: post("/v1/verify", '{"nothing":1}'), status: 400, code: "VALIDATION_FAILED" },
    { what: "no token", request: post("/v1/certificates", "{}"), status: 401, code: "AUTH_MISSING" },
    { what: "/rpc: a body over 64 KiB (an HTTP matter, not JSON-RPC's)", request: post("/rpc", `{"x":"${"x".repeat(70_000)}"}`), status: 413, code: "PAYLOAD_TOO_LARGE" },
    { what: "/rpc: not JSON", request: post("/rpc", "{}", { type: "text/plain" }), status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
  ];

  for (const row of table) {
    it(`${row.what} → ${row.status} ${row.code}`, async () => {
      expectShape(await send(port, typeof row.request === "string" ? row.request : row.request()), row.status, row.code, row.what);
    });
  }

  it("/rpc keeps JSON-RPC's shape for what a JSON-RPC client acts on: parse errors (-32700)", async () => {
    const reply = await send(port, post("/rpc", "{oops"));
    expect(reply.status).to.equal(400);
    expect(JSON.parse(reply.body)).to.deep.equal({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } });
  });

  it("rate limits → 429 RATE_LIMITED, on /rpc too (its own counter, never looser than the app's)", async () => {
    expect((await send(limitedPort, get("/v1/types"))).status).to.equal(200);
    const rpcCall = post("/rpc", '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}');
    expect((await send(limitedPort, rpcCall)).status).to.not.equal(429);
    for (const request of [get("/v1/types"), rpcCall]) {
      const reply = await send(limitedPort, request);
      expectShape(reply, 429, "RATE_LIMITED", request.split("\r\n")[0]);
      expect(Number(reply.headers["retry-after"])).to.be.greaterThan(0);
    }
  });

  it("a request that does not arrive in time → 408 REQUEST_TIMEOUT (a trickling client cannot hold a connection for ever)", async () => {
    const reply = await send(slowPort, (write) => write("POST /v1/verify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"));
    expectShape(reply, 408, "REQUEST_TIMEOUT", "slow body");
    const headersOnly = await send(slowPort, (write) => write("GET /v1/types HTTP/1.1\r\nHost: local"));
    expectShape(headersOnly, 408, "REQUEST_TIMEOUT", "slow headers");
  });

  it("replies written by fastify's router keep the request id header", async () => {
    const reply = await send(port, get("/v1/certificates/%zz", "X-Request-Id: bad-url-1\r\n"));
    expect(reply.headers["x-request-id"]).to.equal("bad-url-1");
  });

  it("and a well-formed request still works on the same server", async () => {
    const reply = await send(port, get("/v1/types", `Authorization: ${bearer(t.tokens.amr).authorization}\r\n`));
    expect(reply.status).to.equal(200);
    expect(JSON.parse(reply.body)).to.be.an("array").that.is.not.empty;
  });
});
