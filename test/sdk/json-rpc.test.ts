import { expect } from "chai";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { httpTransport } from "../../sdk/registry/json-rpc";

/** A JSON-RPC endpoint whose first `drops` requests lose their connection before any answer. */
async function flakyNode(drops: number): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    requests++;
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      if (requests <= drops) return void request.socket.destroy();
      const { id } = JSON.parse(body) as { id: number };
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ jsonrpc: "2.0", id, result: "0x7a69" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe("SDK JSON-RPC over HTTP", () => {
  it("sends a read once more when its connection drops before any answer", async () => {
    const node = await flakyNode(1);
    try {
      const result = await httpTransport(node.url).request("eth_chainId", [], new AbortController().signal);
      expect(result).to.equal("0x7a69");
      expect(node.requests()).to.equal(2);
    } finally {
      await node.close();
    }
  });

  it("gives up after the second dropped connection (no retry loop)", async () => {
    const node = await flakyNode(Infinity);
    try {
      const error = await httpTransport(node.url)
        .request("eth_chainId", [], new AbortController().signal)
        .then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(Error);
      expect(node.requests()).to.equal(2);
    } finally {
      await node.close();
    }
  });

  it("does not repeat a request that was aborted", async () => {
    const node = await flakyNode(Infinity);
    try {
      const controller = new AbortController();
      controller.abort();
      const error = await httpTransport(node.url)
        .request("eth_chainId", [], controller.signal)
        .then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(Error);
      expect(node.requests()).to.equal(0);
    } finally {
      await node.close();
    }
  });
});
