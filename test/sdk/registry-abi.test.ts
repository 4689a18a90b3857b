import { expect } from "chai";
import { Interface } from "ethers";
import { CERTCHAIN_REGISTRY_ABI } from "@certchain/sdk";
import { loadRegistryArtifact } from "../../server/chain/registry-artifact";

describe("sdk registry ABI", function () {
  it("matches the compiled CertchainRegistry for every function, event and error it names", function () {
    const ours = new Interface(CERTCHAIN_REGISTRY_ABI as unknown as string[]);
    const compiled = new Interface(loadRegistryArtifact().abi as any);
    ours.forEachFunction((f) => expect(compiled.getFunction(f.selector)?.format("minimal"), f.format("minimal")).to.equal(f.format("minimal")));
    ours.forEachEvent((e) => expect(compiled.getEvent(e.topicHash)?.format("minimal"), e.format("minimal")).to.equal(e.format("minimal")));
    ours.forEachError((e) => expect(compiled.getError(e.selector)?.format("minimal"), e.format("minimal")).to.equal(e.format("minimal")));
  });

  it("covers every function and event of the compiled contract that the project uses", function () {
    const ours = new Interface(CERTCHAIN_REGISTRY_ABI as unknown as string[]);
    const compiled = new Interface(loadRegistryArtifact().abi as any);
    const accessControl = new Set(["getRoleAdmin", "grantRole", "hasRole", "renounceRole", "revokeRole", "supportsInterface", "DEFAULT_ADMIN_ROLE"]);
    compiled.forEachFunction((f) => {
      if (!accessControl.has(f.name)) expect(ours.getFunction(f.selector), f.name).to.not.equal(null);
    });
    compiled.forEachError((e) => {
      if (e.name.startsWith("Certchain")) expect(ours.getError(e.selector), e.name).to.not.equal(null);
    });
  });
});
