import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startDevNode, type DevNode } from "../../server/chain/dev-node";
import { deployRegistryOnNode, type NodeRegistry } from "./node-registry";
import { freePort } from "./ports";
import { sharedFixture } from "./shared";

/** One region: its own Hardhat node (own process) and registry, with an agency issuing on it. */
export interface Region extends NodeRegistry {
  node: DevNode;
  /** SIGSTOP / SIGCONT the node: it keeps its port and accepts connections but answers nothing. */
  freeze(): void;
  thaw(): void;
}

export interface Regions {
  /** 上海市 and 广州市: both trusted in the tests; C (雄安新区) is the region nobody trusts. */
  a: Region;
  b: Region;
  c: Region;
}

// The three regions as two plain `npm start`s would make them: every chain is 31337, every
// registry lands at the deployer's nonce-0 address, and every region calls its market
// regulator "amr". Only the registry id (and the genesis block) tells them apart.
const REGIONS = [
  { key: "a", region: "上海市", agency: { slug: "amr", name: "上海市市场监督管理局" } },
  { key: "b", region: "广州市", agency: { slug: "amr", name: "广州市市场监督管理局" } },
  { key: "c", region: "雄安新区", agency: { slug: "amr", name: "雄安新区市场监督管理局" } },
] as const;

/**
 * Three regions, started once per mocha process on first use and shared by the test files that
 * need them (starting a Hardhat node takes seconds); stopped after the last file.
 */
export const regions = sharedFixture<Regions & { nodes: DevNode[]; logDir: string }>("regions", {
  async start() {
    const logDir = mkdtempSync(path.join(tmpdir(), "certchain-regions-"));
    const nodes: DevNode[] = [];
    const now = Date.now();
    try {
      const started = await Promise.all(
        REGIONS.map(async ({ key, region, agency }, i) => {
          // Hardhat derives block 0 from its start time: nodes started in the same second share a
          // genesis hash. Regions' chains differ in genesis, as real ones do; a minute apart each.
          const initialDate = new Date(now - (i + 1) * 60_000).toISOString();
          const node = await startDevNode({ port: await freePort(), logFile: path.join(logDir, `${key}.log`), initialDate });
          nodes.push(node);
          const registry = await deployRegistryOnNode(node.rpcUrl, { region, agency });
          const result: Region = {
            ...registry,
            node,
            freeze: () => node.process.kill("SIGSTOP"),
            thaw: () => node.process.kill("SIGCONT"),
          };
          return [key, result] as const;
        }),
      );
      return { ...(Object.fromEntries(started) as unknown as Regions), nodes, logDir };
    } catch (error) {
      for (const node of nodes) node.process.kill("SIGKILL");
      rmSync(logDir, { recursive: true, force: true });
      throw error;
    }
  },
  async stop({ nodes, logDir }) {
    for (const node of nodes) node.process.kill("SIGCONT");
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(logDir, { recursive: true, force: true });
  },
  kill({ nodes, logDir }) {
    for (const node of nodes) node.process.kill("SIGKILL");
    rmSync(logDir, { recursive: true, force: true });
  },
});
