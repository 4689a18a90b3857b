import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEV_MNEMONIC, DEV_PASSPHRASE, developmentChainFunds, loadConfig, productionProblems } from "../../server/config";

/**
 * Issue 17: production mode's settings, read the way `npm start` reads them (loadConfig), and why a
 * production start refuses (productionProblems), each problem saying what to do. The refusals as
 * a started process prints them are in test/e2e/production.test.ts.
 */
describe("production settings: secrets from files, and what a production start refuses (issue 17)", function () {
  let dir: string;
  const OWN_MNEMONIC = "abandon ability able about above absent absorb abstract absurd abuse access accident";
  const good = (extra: NodeJS.ProcessEnv = {}) =>
    loadConfig({ NODE_ENV: "production", DATA_DIR: path.join(dir, "data"), CHAIN_RPC_URL: "http://10.0.0.5:8545", CERTCHAIN_PASSPHRASE: "a passphrase of our own", CHAIN_MNEMONIC: OWN_MNEMONIC, PUBLIC_URL: "https://certs.gz.example.gov.cn", ...extra }, []);

  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "certchain-config-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("CERTCHAIN_PASSPHRASE_FILE: the file's text is the passphrase (its one trailing newline dropped, inner spaces kept)", function () {
    const file = path.join(dir, "passphrase");
    writeFileSync(file, "  two words  \n");
    expect(loadConfig({ CERTCHAIN_PASSPHRASE_FILE: file }, []).passphrase).to.equal("  two words  ");
    writeFileSync(file, "crlf too\r\n");
    expect(loadConfig({ CERTCHAIN_PASSPHRASE_FILE: file }, []).passphrase).to.equal("crlf too");
    const mnemonic = path.join(dir, "mnemonic");
    writeFileSync(mnemonic, `${OWN_MNEMONIC}\n`);
    expect(loadConfig({ CHAIN_MNEMONIC_FILE: mnemonic }, []).chainMnemonic).to.equal(OWN_MNEMONIC);
  });

  it("CERTCHAIN_PASSPHRASE_FILE refuses a missing or empty file, and both it and CERTCHAIN_PASSPHRASE at once", function () {
    const missing = path.join(dir, "absent");
    expect(() => loadConfig({ CERTCHAIN_PASSPHRASE_FILE: missing }, [])).to.throw(`CERTCHAIN_PASSPHRASE_FILE: cannot read ${missing} (ENOENT)`);
    const empty = path.join(dir, "empty");
    writeFileSync(empty, "\n");
    expect(() => loadConfig({ CERTCHAIN_PASSPHRASE_FILE: empty }, [])).to.throw(`CERTCHAIN_PASSPHRASE_FILE: ${empty} is empty`);
    writeFileSync(empty, "something");
    expect(() => loadConfig({ CERTCHAIN_PASSPHRASE_FILE: empty, CERTCHAIN_PASSPHRASE: "other" }, [])).to.throw("CERTCHAIN_PASSPHRASE and CERTCHAIN_PASSPHRASE_FILE are both set");
  });

  it("production is NODE_ENV=production or --production; the default start is not", function () {
    expect(loadConfig({}, []).production).to.equal(false);
    expect(loadConfig({ NODE_ENV: "development" }, []).production).to.equal(false);
    expect(loadConfig({ NODE_ENV: "production" }, []).production).to.equal(true);
    expect(loadConfig({}, ["--production"]).production).to.equal(true);
  });

  it("a production start with secrets of its own, an external chain, an https PUBLIC_URL and a private data directory may go ahead", function () {
    expect(productionProblems(good(), false)).to.deep.equal([]);
    // Plain http is allowed on a loopback host (a proxy in front terminates TLS).
    expect(productionProblems(good({ PUBLIC_URL: "http://127.0.0.1:8080" }), false)).to.deep.equal([]);
    expect(productionProblems(good({ PUBLIC_URL: "http://localhost:8080" }), false)).to.deep.equal([]);
  });

  it("each published secret and each missing or insecure setting is one problem, saying what to do", function () {
    const one = (env: NodeJS.ProcessEnv, open = false) => {
      const problems = productionProblems(good(env), open);
      expect(problems, JSON.stringify(problems)).to.have.length(1);
      return problems[0];
    };
    expect(one({ CERTCHAIN_PASSPHRASE: DEV_PASSPHRASE })).to.include("published development one").and.include("CERTCHAIN_PASSPHRASE_FILE=");
    expect(one({ CHAIN_MNEMONIC: `  ${DEV_MNEMONIC.split(" ").join("   ")} ` }), "however it is spaced").to.include("Hardhat's published mnemonic").and.include("CHAIN_MNEMONIC_FILE");
    expect(one({ CHAIN_RPC_URL: "" })).to.include("CHAIN_RPC_URL is not set");
    expect(one({ PUBLIC_URL: "" })).to.include("PUBLIC_URL is not set").and.include("https://");
    expect(one({ PUBLIC_URL: "http://certs.gz.example.gov.cn" })).to.include("PUBLIC_URL http://certs.gz.example.gov.cn is not https");
    expect(one({}, true)).to.include(`chmod 700 ${path.join(dir, "data")}`);
    // Without anything set, every one of them at once.
    expect(productionProblems(loadConfig({ NODE_ENV: "production", DATA_DIR: path.join(dir, "data") }, []), true)).to.have.length(5);
  });

  it("the node funds the operator accounts it creates only on a development chain", function () {
    expect(developmentChainFunds(loadConfig({}, [])), "the embedded Hardhat node").to.be.a("bigint");
    expect(developmentChainFunds(loadConfig({ CHAIN_RPC_URL: "http://127.0.0.1:8545" }, [])), "a local node with Hardhat's accounts").to.be.a("bigint");
    expect(developmentChainFunds(good()), "production on an external chain").to.equal(undefined);
    expect(developmentChainFunds(loadConfig({ CHAIN_RPC_URL: "http://10.0.0.5:8545", CHAIN_MNEMONIC: OWN_MNEMONIC }, [])), "an external chain with a mnemonic of its own").to.equal(undefined);
  });
});
