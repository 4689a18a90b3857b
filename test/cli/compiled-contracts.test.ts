import { expect } from "chai";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { artifactsAreCurrent, contractSourcesHash, stampArtifacts } from "../../scripts/lib/compiled-contracts";

const ROOT = path.join(__dirname, "..", "..");

/**
 * `npm start` skips `hardhat compile` only while the artifacts were compiled from the contracts as
 * they are (scripts/lib/compiled-contracts.ts): here on a copy of the contracts and config.
 */
describe("npm start compiles the contracts only when they changed", function () {
  let root: string;
  beforeEach(function () {
    root = mkdtempSync(path.join(tmpdir(), "certchain-compiled-"));
    cpSync(path.join(ROOT, "contracts"), path.join(root, "contracts"), { recursive: true });
    cpSync(path.join(ROOT, "hardhat.config.ts"), path.join(root, "hardhat.config.ts"));
    const artifact = path.join(root, "artifacts", "contracts", "CertchainRegistry.sol");
    mkdirSync(artifact, { recursive: true });
    writeFileSync(path.join(artifact, "CertchainRegistry.json"), "{}");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("the same sources hash the same; artifacts stamped with that hash are current", function () {
    expect(contractSourcesHash(root)).to.equal(contractSourcesHash(root));
    expect(artifactsAreCurrent(root), "no stamp yet").to.equal(false);
    stampArtifacts(contractSourcesHash(root), root);
    expect(artifactsAreCurrent(root)).to.equal(true);
  });

  it("an edited contract, a contract added in a subfolder, or an edited config makes them stale", function () {
    stampArtifacts(contractSourcesHash(root), root);
    appendFileSync(path.join(root, "contracts", "CertchainRegistry.sol"), "\n// edited\n");
    expect(artifactsAreCurrent(root), "edited contract").to.equal(false);

    stampArtifacts(contractSourcesHash(root), root);
    writeFileSync(path.join(root, "contracts", "interfaces", "INew.sol"), "// SPDX-License-Identifier: Apache-2.0\npragma solidity ^0.8.28;\ninterface INew {}\n");
    expect(artifactsAreCurrent(root), "added contract").to.equal(false);

    stampArtifacts(contractSourcesHash(root), root);
    appendFileSync(path.join(root, "hardhat.config.ts"), "\n// another optimizer setting\n");
    expect(artifactsAreCurrent(root), "edited config").to.equal(false);
  });

  it("without the registry's artifact (hardhat clean) they are not current, whatever the stamp says", function () {
    stampArtifacts(contractSourcesHash(root), root);
    rmSync(path.join(root, "artifacts", "contracts"), { recursive: true });
    expect(artifactsAreCurrent(root)).to.equal(false);
  });
});
