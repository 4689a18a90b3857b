import { expect } from "chai";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { JournalCorruptError, JournalState, LegacyJournalError, openJournal, parseJournal, type JournalRecord } from "../../server/chain/journal";

const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as const;
const tx = (n: number, from = "0xaaaa", nonce = n): JournalRecord => ({ type: "tx", hash: hash(1000 + n), raw: `0x${"ab".repeat(8)}`, from, nonce });
const block = (number: number, txs: number[] = []): JournalRecord => ({ type: "block", number, hash: hash(number), timestamp: 1_800_000_000 + number, txs: txs.map((n) => hash(1000 + n)) });
const genesis: JournalRecord = { type: "genesis", hash: hash(0), timestamp: 1_800_000_000, chainId: 31337 };

describe("chain journal (records, rules, torn lines)", function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "certchain-journal-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps blocks in number order and refuses a gap, a block before its transactions, and a second genesis", function () {
    const state = new JournalState();
    state.apply(genesis);
    state.apply(tx(1));
    state.apply(block(1, [1]));
    expect(() => state.apply(block(3))).to.throw(JournalCorruptError, /block 3 follows block 1/);
    expect(() => state.apply(block(2, [2]))).to.throw(JournalCorruptError, /no tx record before it/);
    expect(() => state.apply({ ...genesis, hash: hash(9) } as JournalRecord)).to.throw(JournalCorruptError, /second genesis/);
    expect(() => state.apply({ ...block(1), hash: hash(77) } as JournalRecord)).to.throw(JournalCorruptError, /twice with different hashes/);
    // Exact duplicates (a follower re-reading a block) are harmless.
    expect(state.apply(block(1, [1]))).to.equal(false);
    expect(state.apply(tx(1))).to.equal(false);
    expect(state.height).to.equal(1);
    expect(state.hashAt(0)).to.equal(genesis.type === "genesis" ? genesis.hash : undefined);
  });

  it("lists the transactions neither mined nor abandoned, by sender then nonce", function () {
    const state = new JournalState();
    for (const record of [genesis, tx(1, "0xbb", 5), tx(2, "0xaa", 7), tx(3, "0xaa", 6), tx(4, "0xbb", 4), block(1, [4]), { type: "abandoned", hash: hash(1001), reason: "superseded" } as JournalRecord]) state.apply(record);
    expect(state.pendingTxs().map((t) => [t.from, t.nonce])).to.deep.equal([
      ["0xaa", 6],
      ["0xaa", 7],
    ]);
    expect(state.isMined(hash(1004))).to.equal(true);
  });

  it("cuts off a line torn by a crash, and the next record lands on a line of its own", function () {
    const file = path.join(dir, "journal.jsonl");
    const journal = openJournal(file);
    journal.append([genesis, tx(1)]);
    journal.close();
    appendFileSync(file, '{"type":"block","number":1,"ha'); // the crash
    const reopened = openJournal(file);
    expect(reopened.state.height).to.equal(0);
    expect(reopened.state.txCount).to.equal(1);
    reopened.append([block(1, [1])]);
    reopened.close();
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    expect(lines.map((line) => JSON.parse(line).type)).to.deep.equal(["genesis", "tx", "block"]);
    expect(openJournal(file).state.height).to.equal(1);
  });

  it("refuses a journal damaged before its last line, and explains an old-format journal", function () {
    expect(() => parseJournal(`${JSON.stringify(genesis)}\nnot json\n${JSON.stringify(tx(1))}\n`)).to.throw(JournalCorruptError, /line 2/);
    const file = path.join(dir, "old.jsonl");
    writeFileSync(file, `${JSON.stringify({ raw: "0x01", hash: hash(5), blockNumber: 3, timestamp: 1 })}\n`);
    expect(() => openJournal(file)).to.throw(LegacyJournalError, /earlier certchain/);
  });
});
