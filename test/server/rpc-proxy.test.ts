import { expect } from "chai";
import Fastify, { type FastifyInstance } from "fastify";
import { JsonRpcProvider } from "ethers";
import { startDevNode, type DevNode } from "../../server/chain/dev-node";
import { RPC_MAX_BATCH, RPC_MAX_DEPTH, rpcProxyRoutes } from "../../server/routes/rpc";
import { freePort } from "../support/ports";

const call = (method: string, params: unknown[] = [], id: number | string | null = 1) => ({ jsonrpc: "2.0", id, method, params });

describe("read-only JSON-RPC proxy (POST /rpc) against a Hardhat node", function () {
  this.timeout(120_000);
  let node: DevNode;
  let app: FastifyInstance;
  let accounts: string[];

  /** Straight to the node, bypassing the proxy. */
  async function direct(method: string, params: unknown[] = []): Promise<any> {
    const response = await fetch(node.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(call(method, params)) });
    return ((await response.json()) as { result: unknown }).result;
  }
  const rpc = (payload: unknown) => app.inject({ method: "POST", url: "/rpc", payload: payload as object });

  before(async function () {
    // The node's per-request log is large: discard it.
    node = await startDevNode({ port: await freePort(), logFile: "/dev/null" });
    accounts = await direct("eth_accounts");
    expect(accounts.length).to.be.greaterThan(1); // the node would sign for these: the proxy must never let anyone ask
    app = Fastify();
    await app.register(rpcProxyRoutes, { upstreamUrl: node.rpcUrl, registries: [accounts[1]] });
    await app.ready();
  });

  after(async function () {
    await app?.close();
    await node?.stop();
  });

  it("forwards the allowed reads: eth_chainId, eth_blockNumber, eth_call, eth_getLogs", async function () {
    const chainId = await rpc(call("eth_chainId"));
    expect(chainId.statusCode).to.equal(200);
    expect(chainId.json()).to.deep.equal({ jsonrpc: "2.0", id: 1, result: "0x7a69" });
    expect(chainId.headers["cache-control"]).to.equal("no-store");

    const head = await direct("eth_blockNumber");
    expect((await rpc(call("eth_blockNumber", [], "b"))).json()).to.deep.equal({ jsonrpc: "2.0", id: "b", result: head });
    // eth_call of an account without code returns empty data
    expect((await rpc(call("eth_call", [{ to: accounts[1], data: "0x12345678" }, "latest"], 3))).json()).to.deep.equal({ jsonrpc: "2.0", id: 3, result: "0x" });
    expect((await rpc(call("eth_getLogs", [{ address: accounts[1], fromBlock: "0x0", toBlock: "latest" }], 4))).json()).to.deep.equal({ jsonrpc: "2.0", id: 4, result: [] });
  });

  it("passes the node's own errors through for allowed methods", async function () {
    const res = (await rpc(call("eth_call", [{ to: "not an address" }, "latest"], 9))).json();
    expect(res.id).to.equal(9);
    expect(res.error).to.have.property("code").that.is.a("number");
    expect(res).to.not.have.property("result");
  });

  it("refuses everything else with -32601 and never forwards it: no transaction, no signature, no account list, no node control", async function () {
    const balance = await direct("eth_getBalance", [accounts[1], "latest"]);
    const head = await direct("eth_blockNumber");
    const tx = { from: accounts[0], to: accounts[1], value: "0xde0b6b3a7640000" };
    const refused: [string, unknown[]][] = [
      ["eth_sendTransaction", [tx]],
      ["eth_accounts", []],
      ["eth_requestAccounts", []],
      ["eth_sign", [accounts[0], "0x1234"]],
      ["eth_signTransaction", [tx]],
      ["eth_signTypedData_v4", [accounts[0], "{}"]],
      ["eth_sendRawTransaction", ["0x00"]],
      ["personal_sign", ["0x1234", accounts[0]]],
      ["personal_unlockAccount", [accounts[0], "", 0]],
      ["personal_sendTransaction", [tx, ""]],
      ["personal_listAccounts", []],
      ["hardhat_setBalance", [accounts[1], "0x0"]],
      ["hardhat_impersonateAccount", [accounts[2]]],
      ["evm_mine", []],
      ["evm_setNextBlockTimestamp", [4_000_000_000]],
      ["evm_snapshot", []],
      ["debug_traceTransaction", ["0x" + "00".repeat(32)]],
      ["eth_getBalance", [accounts[1], "latest"]],
      ["eth_subscribe", ["newHeads"]],
      ["ETH_CALL", [{ to: accounts[1] }, "latest"]],
      ["eth_call ", [{ to: accounts[1] }, "latest"]],
      ["constructor", []],
      ["__proto__", []],
    ];
    for (const [method, params] of refused) {
      const res = await rpc(call(method, params, 7));
      expect(res.statusCode, method).to.equal(200);
      expect(res.json(), method).to.deep.equal({ jsonrpc: "2.0", id: 7, error: { code: -32601, message: "method not allowed" } });
    }
    expect(await direct("eth_blockNumber")).to.equal(head);
    expect(await direct("eth_getBalance", [accounts[1], "latest"])).to.equal(balance);
  });

  it("answers a mixed batch item by item, in order, with the caller's ids (duplicates too), forwarding only the allowed calls", async function () {
    const head = await direct("eth_blockNumber");
    const res = await rpc([
      call("eth_chainId", [], 1),
      call("eth_sendTransaction", [{ from: accounts[0], to: accounts[1], value: "0x1" }], 2),
      call("eth_blockNumber", [], 1),
      call("evm_mine", [], "m"),
      { jsonrpc: "2.0", method: "eth_chainId" }, // a notification: no answer
      "not a call",
      { id: 5, method: "eth_chainId" }, // no jsonrpc version
      { jsonrpc: "2.0", id: 6, method: 42 },
      { jsonrpc: "2.0", id: { not: "an id" }, method: "eth_chainId" },
      call("eth_getLogs", [{ address: accounts[1], fromBlock: "0x0", toBlock: "latest" }], null),
    ]);
    expect(res.statusCode).to.equal(200);
    expect(res.json()).to.deep.equal([
      { jsonrpc: "2.0", id: 1, result: "0x7a69" },
      { jsonrpc: "2.0", id: 2, error: { code: -32601, message: "method not allowed" } },
      { jsonrpc: "2.0", id: 1, result: head },
      { jsonrpc: "2.0", id: "m", error: { code: -32601, message: "method not allowed" } },
      { jsonrpc: "2.0", id: null, error: { code: -32600, message: "invalid request" } },
      { jsonrpc: "2.0", id: 5, error: { code: -32600, message: "invalid request" } },
      { jsonrpc: "2.0", id: 6, error: { code: -32600, message: "invalid request" } },
      { jsonrpc: "2.0", id: null, error: { code: -32600, message: "invalid request" } },
      { jsonrpc: "2.0", id: null, result: [] },
    ]);
    expect(await direct("eth_blockNumber")).to.equal(head);
  });

  it(`takes batches of up to ${RPC_MAX_BATCH} calls and refuses larger or empty ones with -32600`, async function () {
    const full = await rpc(Array.from({ length: RPC_MAX_BATCH }, (_, i) => call("eth_chainId", [], i)));
    expect(full.statusCode).to.equal(200);
    expect(full.json()).to.have.length(RPC_MAX_BATCH);
    expect(full.json().every((r: { result: string }, i: number) => r.result === "0x7a69" && (r as unknown as { id: number }).id === i)).to.equal(true);

    const over = await rpc(Array.from({ length: RPC_MAX_BATCH + 1 }, (_, i) => call("eth_chainId", [], i)));
    expect(over.statusCode).to.equal(400);
    expect(over.json().error.code).to.equal(-32600);

    const empty = await rpc([]);
    expect(empty.statusCode).to.equal(400);
    expect(empty.json().error.code).to.equal(-32600);
  });

  it("answers notifications with nothing, malformed JSON with -32700 and bodies over 64 KiB with 413 PAYLOAD_TOO_LARGE (the API's shape: not a JSON-RPC matter)", async function () {
    expect((await rpc({ jsonrpc: "2.0", method: "eth_chainId" })).statusCode).to.equal(204);
    const bad = await app.inject({ method: "POST", url: "/rpc", headers: { "content-type": "application/json" }, payload: "{oops" });
    expect(bad.statusCode).to.equal(400);
    expect(bad.json()).to.deep.equal({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } });
    const big = await rpc(call("eth_call", [{ to: accounts[1], data: `0x${"00".repeat(40_000)}` }, "latest"]));
    expect(big.statusCode).to.equal(413);
    expect(big.json()).to.deep.equal({ error: { code: "PAYLOAD_TOO_LARGE", message: "The request body is too large." } });
    expect((await rpc(call("eth_call", [{ to: accounts[1], data: `0x${"00".repeat(30_000)}` }, "latest"]))).json().result).to.equal("0x");
  });

  it("refuses params nested deeper than any call needs with -32600 (400), never forwarding them: 5,000-deep params used to come back 502", async function () {
    const head = await direct("eth_blockNumber");
    // Written as text: JSON.stringify itself recurses and cannot build 5,000 levels.
    for (const depth of [5_000, RPC_MAX_DEPTH]) {
      const payload = `{"jsonrpc":"2.0","id":1,"method":"eth_call","params":${"[".repeat(depth)}${"]".repeat(depth)}}`;
      const res = await app.inject({ method: "POST", url: "/rpc", headers: { "content-type": "application/json" }, payload });
      expect(res.statusCode, `depth ${depth}`).to.equal(400);
      expect(res.json()).to.deep.equal({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "invalid request: nested too deeply" } });
    }
    // At the limit (the body, params and the arrays in them), the call is forwarded and the node answers for itself.
    const atLimit = await rpc(call("eth_getLogs", [{ address: accounts[1], fromBlock: "0x0", topics: [[[[[]]]]] }]));
    expect(atLimit.statusCode).to.equal(200);
    expect(atLimit.json()).to.have.property("error");
    expect(atLimit.json().error.code).to.be.a("number");
    expect(await direct("eth_blockNumber")).to.equal(head);
  });

  describe("only what the pages read, bounded (issue 21, finding 2)", function () {
    let looper: string;
    before(async function () {
      // A contract that loops until its gas runs out: JUMPDEST PUSH1 0 JUMP, deployed from the node's own account.
      const hash = await direct("eth_sendTransaction", [{ from: accounts[0], data: "0x6004600c60003960046000f35b600056", gas: "0x100000" }]);
      looper = (await direct("eth_getTransactionReceipt", [hash])).contractAddress;
      expect(await direct("eth_getCode", [looper, "latest"])).to.equal("0x5b600056");
    });

    it("reproduces the attack: one looping eth_call straight to the node burns its whole default gas; through the proxy it is refused, or capped when trusted", async function () {
      const started = performance.now();
      const straight = await fetch(node.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(call("eth_call", [{ to: looper, data: "0x" }, "latest"])) });
      expect(((await straight.json()) as any).error).to.be.an("object"); // out of gas, after all of it
      const uncapped = performance.now() - started;

      // Not a registry this service trusts: never forwarded.
      const refused = await rpc(call("eth_call", [{ to: looper, data: "0x" }, "latest"], 7));
      expect(refused.json()).to.deep.equal({ jsonrpc: "2.0", id: 7, error: { code: -32602, message: "only calls to the registry this service trusts are forwarded" } });

      // Trusted (a registry with a loop in it, say): it runs, but only on RPC_GAS_CAP of gas, however much it asks for.
      const trusting = Fastify();
      await trusting.register(rpcProxyRoutes, { upstreamUrl: node.rpcUrl, registries: [looper] });
      try {
        const at = performance.now();
        const capped = await trusting.inject({ method: "POST", url: "/rpc", payload: call("eth_call", [{ to: looper, data: "0x", gas: "0x1c9c380" }, "latest"], 8) });
        const cappedMs = performance.now() - at;
        expect(capped.json().error).to.be.an("object");
        // 30 times less gas; a third of the time leaves room for a busy machine's noise.
        expect(cappedMs, `capped ${cappedMs.toFixed(0)} ms, uncapped ${uncapped.toFixed(0)} ms`).to.be.below(uncapped / 3);
      } finally {
        await trusting.close();
      }
    });

    it("forwards eth_call and eth_getLogs of the trusted registry only, with no state overrides, value or sender", async function () {
      const other = accounts[2];
      const refusals = [
        call("eth_call", [{ to: other, data: "0x" }, "latest"], 1),
        call("eth_call", [{ data: "0x" }, "latest"], 2),
        call("eth_call", [{ to: accounts[1], data: "0x" }, "latest", { [accounts[1]]: { code: "0x5b600056" } }], 3),
        call("eth_getLogs", [{ fromBlock: "0x0" }], 4),
        call("eth_getLogs", [{ address: [accounts[1], other] }], 5),
        call("eth_chainId", ["extra"], 6),
      ];
      const res = (await rpc(refusals)).json();
      expect(res.map((r: any) => r.error?.code)).to.deep.equal([-32602, -32602, -32602, -32602, -32602, -32602]);
      // A value and a sender are dropped, not forwarded: the call still reads.
      expect((await rpc(call("eth_call", [{ to: accounts[1], from: accounts[0], value: "0x1", data: "0x" }, "latest"], 9))).json()).to.deep.equal({ jsonrpc: "2.0", id: 9, result: "0x" });
    });

    it(`refuses a batch of ${RPC_MAX_BATCH + 1} looping calls before anything reaches the node`, async function () {
      const res = await rpc(Array.from({ length: RPC_MAX_BATCH + 1 }, (_, i) => call("eth_call", [{ to: accounts[1], data: "0x" }, "latest"], i)));
      expect(res.statusCode).to.equal(400);
      expect(res.json().error).to.deep.equal({ code: -32600, message: `at most ${RPC_MAX_BATCH} calls per batch` });
    });

    it("has a rate limit of its own per client IP (answered in the API's shape), whatever the app's", async function () {
      const limited = Fastify();
      await limited.register(rpcProxyRoutes, { upstreamUrl: node.rpcUrl, registries: [accounts[1]], rateLimit: 3 });
      limited.get("/other", async () => ({ ok: true }));
      try {
        for (let i = 0; i < 3; i++) expect((await limited.inject({ method: "POST", url: "/rpc", payload: call("eth_chainId") })).statusCode).to.equal(200);
        const over = await limited.inject({ method: "POST", url: "/rpc", payload: call("eth_chainId") });
        expect(over.statusCode).to.equal(429);
        expect(over.json().error.code).to.equal("RATE_LIMITED");
        expect((await limited.inject({ method: "GET", url: "/other" })).statusCode).to.equal(200);
      } finally {
        await limited.close();
      }
    });
  });

  it("reports an unreachable node as a JSON-RPC error (502 for a single call)", async function () {
    const down = Fastify();
    await down.register(rpcProxyRoutes, { upstreamUrl: `http://127.0.0.1:${await freePort()}`, registries: [], timeoutMs: 2_000 });
    try {
      const single = await down.inject({ method: "POST", url: "/rpc", payload: call("eth_chainId") });
      expect(single.statusCode).to.equal(502);
      expect(single.json()).to.deep.include({ jsonrpc: "2.0", id: 1 });
      expect(single.json().error.code).to.equal(-32603);
      const batch = await down.inject({ method: "POST", url: "/rpc", payload: [call("eth_chainId", [], 1), call("eth_accounts", [], 2)] });
      expect(batch.json()).to.deep.equal([
        { jsonrpc: "2.0", id: 1, error: { code: -32603, message: "the chain node is unreachable" } },
        { jsonrpc: "2.0", id: 2, error: { code: -32601, message: "method not allowed" } },
      ]);
    } finally {
      await down.close();
    }
  });

  it("serves ethers' JsonRpcProvider over HTTP (batched reads work, writes are refused)", async function () {
    const served = Fastify();
    await served.register(rpcProxyRoutes, { upstreamUrl: node.rpcUrl, registries: [accounts[1]] });
    const port = await freePort();
    await served.listen({ port, host: "127.0.0.1" });
    const provider = new JsonRpcProvider(`http://127.0.0.1:${port}/rpc`, 31337, { staticNetwork: true, cacheTimeout: -1 });
    try {
      const [block, network, code] = await Promise.all([provider.getBlockNumber(), provider.getNetwork(), provider.call({ to: accounts[1], data: "0x" })]);
      expect(block).to.equal(Number(await direct("eth_blockNumber")));
      expect(network.chainId).to.equal(31337n);
      expect(code).to.equal("0x");
      let refusal: unknown;
      await provider.send("eth_accounts", []).catch((error: unknown) => (refusal = error));
      expect(String(refusal)).to.match(/method not allowed/);
    } finally {
      provider.destroy();
      await served.close();
    }
  });
});
