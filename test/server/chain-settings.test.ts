import { expect } from "chai";
import { checkTrustList } from "@certchain/sdk";
import { loadConfig, registryNameOf } from "../../server/config";

/** Issue 18's settings: finality, the reorganisation window, trust-list names, the proxy in front. */
describe("settings for real chains (issue 18)", function () {
  it("reads FINALITY, REORG_WINDOW and TRUST_PROXY, with their defaults, and refuses a finality it does not know", () => {
    const defaults = loadConfig({}, []);
    expect([defaults.finality, defaults.reorgWindow, defaults.trustProxy]).to.deep.equal(["confirmations", 64, false]);
    const set = loadConfig({ FINALITY: "finalized", REORG_WINDOW: "12", TRUST_PROXY: "10.0.0.0/8,192.168.1.1" }, []);
    expect([set.finality, set.reorgWindow, set.trustProxy]).to.deep.equal(["finalized", 12, "10.0.0.0/8,192.168.1.1"]);
    expect(() => loadConfig({ FINALITY: "safe" }, [])).to.throw(/FINALITY must be confirmations or finalized/);
  });

  it("names each registry after its chain and address by default, so two cities' trust lists merge; REGISTRY_NAME wins", () => {
    const production = { production: true, registryName: undefined };
    const shanghai = { name: registryNameOf(production, 8888, "0x5FbDB2315678afecb367f032d93F642f64180aa3"), chainId: 8888, address: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const, id: `0x${"11".repeat(32)}` as const };
    const guangzhou = { name: registryNameOf(production, 8888, "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"), chainId: 8888, address: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512" as const, id: `0x${"22".repeat(32)}` as const };
    expect(shanghai.name).to.equal("certchain 8888:0x5fbdb2315678afecb367f032d93f642f64180aa3");
    expect(() => checkTrustList([shanghai, guangzhou])).to.not.throw();
    // The clash the issue saw: the same name in both lists.
    expect(() => checkTrustList([{ ...shanghai, name: "certchain" }, { ...guangzhou, name: "certchain" }])).to.throw(/cannot be told apart/);
    expect(registryNameOf({ production: true, registryName: " 上海市 " }, 8888, shanghai.address)).to.equal("上海市");
  });
});
