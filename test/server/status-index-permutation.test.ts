import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { STATUS_LIST_CAPACITY } from "@certchain/sdk";
import { createNumbering } from "../../server/service/numbering";
import { statusIndexPermutation } from "../../server/service/status-index-permutation";
import { openDatabase } from "../../server/store/database";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

// Issue 21, finding 4: status-list indexes were handed out in order (40, 41, 42, 43), so anyone
// reading a list learnt the order and volume of issuance.
describe("random status-list indexes (issue 21, finding 4)", function () {
  it("the keyed permutation covers every offset of a list exactly once, and another key orders them otherwise", function () {
    const permute = statusIndexPermutation(randomBytes(32));
    const seen = new Uint8Array(STATUS_LIST_CAPACITY);
    for (let n = 0; n < STATUS_LIST_CAPACITY; n++) seen[permute(n)] += 1;
    expect(seen.every((count) => count === 1)).to.equal(true);
    const other = statusIndexPermutation(randomBytes(32));
    const firsts = Array.from({ length: 16 }, (_, n) => [permute(n), other(n)]);
    expect(firsts.filter(([a, b]) => a === b).length).to.be.below(2);
    // Consecutive inputs land far apart.
    const steps = Array.from({ length: 1000 }, (_, n) => Math.abs(permute(n + 1) - permute(n)));
    expect(steps.filter((step) => step < 1024).length).to.be.below(50);
  });

  it("numbering: never the same index twice, across a restart; an agency that issued in order before goes on in the next list", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "certchain-numbering-"));
    const keys = new Map<string, Uint8Array>();
    const keyOf = (agency: string, list: number) => keys.get(`${agency}/${list}`) ?? keys.set(`${agency}/${list}`, randomBytes(32)).get(`${agency}/${list}`)!;
    try {
      let db = await openDatabase(path.join(dir, "db"));
      // sh-old issued 5 certificates with sequential indexes 0..4 before.
      await db.write([{ type: "put", sublevel: db.sublevel("status-indexes"), key: "sh-old", value: 5 }]);
      let numbering = createNumbering(db, keyOf);
      const first = [];
      for (let i = 0; i < 500; i++) first.push((await numbering.next("sh-new")).statusIndex);
      await db.write((await numbering.persistOps("sh-new"))());
      const old = (await numbering.next("sh-old")).statusIndex;
      await db.write((await numbering.persistOps("sh-old"))());
      expect(Math.floor(old / STATUS_LIST_CAPACITY)).to.equal(1);
      await db.close();

      db = await openDatabase(path.join(dir, "db"));
      numbering = createNumbering(db, keyOf);
      const second = [];
      for (let i = 0; i < 500; i++) second.push((await numbering.next("sh-new")).statusIndex);
      const all = [...first, ...second];
      expect(new Set(all).size).to.equal(1000);
      expect(all.every((idx) => idx >= 0 && idx < STATUS_LIST_CAPACITY)).to.equal(true);
      expect((await numbering.next("sh-old")).statusIndex).to.not.equal(old);
      await db.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
