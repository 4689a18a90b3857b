import { expect } from "chai";
import { parse } from "../../scripts/cli/args";
import { COMMANDS } from "../../scripts/cli/main";
import { setLang } from "../../scripts/cli/i18n";
import { UsageError } from "../../scripts/cli/output";
import { runCli } from "./run-cli";

const OPTIONS = {
  rpc: { type: "string" },
  json: { type: "boolean" },
  party: { type: "string", multiple: true },
} as const;

describe("cli: argument parsing", function () {
  before(() => setLang("en"));

  it("refuses a single-valued flag given twice, naming it and both values", function () {
    expect(() => parse("verify", ["--rpc", "http://a", "--rpc=http://b"], OPTIONS)).to.throw(UsageError, /--rpc is given 2 times \("http:\/\/a", "http:\/\/b"\) but takes one value; to trust several registries/);
    expect(() => parse("x", ["--json", "--json"], OPTIONS)).to.throw(UsageError, /--json is given 2 times but takes one value/);
    expect(() => parse("x", ["-h", "--help"], OPTIONS)).to.throw(UsageError, /--help is given 2 times/);
  });

  it("says it in Chinese too, and refuses a repeated --lang", async function () {
    setLang("zh-CN");
    try {
      expect(() => parse("verify", ["--rpc", "a", "--rpc", "b"], OPTIONS)).to.throw(UsageError, /--rpc 给了 2 次（"a", "b"）|--rpc 给了 2 次 \("a", "b"\)/);
    } finally {
      setLang("en");
    }
    const run = await runCli(["--lang", "en", "types", "--lang", "zh-CN"]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/--lang is given 2 times/);
  });

  it("lets flags declared multiple repeat, and keeps single ones as given", function () {
    const { values, positionals } = parse("notarise", ["file.txt", "--party", "甲", "--party", "乙", "--rpc", "http://a", "--json"], OPTIONS);
    expect(values).to.deep.equal({ party: ["甲", "乙"], rpc: "http://a", json: true });
    expect(positionals).to.deep.equal(["file.txt"]);
  });

  // Every command parses through parse(): a repeated flag is refused before the command does anything.
  const repeated: Record<string, string[]> = {
    types: ["--json", "--json"],
    issue: ["--type", "business-licence", "--type", "marriage-certificate", "--csv", "x.csv"],
    verify: ["x.json", "--min-confirmations", "1", "--min-confirmations", "2"],
    verifier: ["--registries", "a.json", "--port", "1", "--port", "2"],
    notarise: ["x.txt", "--title", "a", "--title", "b"],
    "verify-file": ["a", "b", "--rpc", "http://a", "--rpc", "http://b"],
    receipt: ["verify", "a.json", "--rpc", "http://a", "--rpc", "http://b"],
    offer: ["id", "--expires", "60", "--expires", "120"],
    revoke: ["id", "--reason", "1", "--reason", "2"],
    suspend: ["id", "--reason", "1", "--reason", "2"],
    reinstate: ["id", "--reason", "1", "--reason", "2"],
    get: ["id", "--out", "a", "--out", "b"],
    erase: ["id", "--token", "a", "--token", "b"],
    agency: ["list", "--api", "http://a", "--api", "http://b"],
    key: ["rotate", "sh-amr", "--token", "a", "--token", "b"],
    chain: ["reanchor", "--config", "a.json", "--config", "b.json"],
    keys: ["export", "--to", "a.json", "--to", "b.json"],
    passphrase: ["change", "--new-passphrase-file", "a", "--new-passphrase-file", "b"],
    token: ["root", "--to", "a", "--to", "b"],
    print: ["x.json", "--out", "a.pdf", "--out", "b.pdf"],
    "status-list": ["rebuild", "--list", "0", "--list", "1"],
  };

  it("covers every command", function () {
    expect(Object.keys(repeated).sort()).to.deep.equal(COMMANDS.map((c) => c.name).sort());
  });

  for (const [command, args] of Object.entries(repeated)) {
    it(`certchain ${command} refuses a repeated flag with exit 2`, async function () {
      this.timeout(30_000);
      const run = await runCli(["--lang", "en", command, ...args]);
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr).to.match(/--[a-z-]+ is given 2 times/);
    });
  }
});
