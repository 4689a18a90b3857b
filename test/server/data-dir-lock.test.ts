import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE, type LockHolder } from "../../server/lib/data-dir-lock";
import { startTimeOf } from "../../server/lib/process-info";

describe("data directory lock (one service per DATA_DIR)", function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "certchain-lock-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const lockFile = () => path.join(dir, LOCK_FILE);
  const write = (holder: LockHolder) => writeFileSync(lockFile(), JSON.stringify(holder));

  it("is taken with the holder's pid, refused to a second taker with who holds it and since when, and released only by its holder", function () {
    const lock = acquireDataDirLock(dir, { purpose: "npm start" });
    const holder = JSON.parse(readFileSync(lockFile(), "utf8")) as LockHolder;
    expect(holder).to.deep.include({ pid: process.pid, purpose: "npm start", startTime: startTimeOf(process.pid) });
    let refused: unknown;
    try {
      acquireDataDirLock(dir, { purpose: "npm start" });
    } catch (error) {
      refused = error;
    }
    expect(refused).to.be.instanceOf(DataDirLockedError);
    expect((refused as Error).message).to.include(`pid ${process.pid}`).and.include(holder.since).and.include("npm start");
    lock.release();
    expect(existsSync(lockFile())).to.equal(false);
  });

  it("takes over a lock left by a dead process, and says whose it was", function () {
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
    write({ pid: dead, since: "2026-01-01T00:00:00.000Z", purpose: "npm start" });
    const takenOver: LockHolder[] = [];
    const lock = acquireDataDirLock(dir, { purpose: "npm start", onTakeover: (stale) => takenOver.push(stale) });
    expect(takenOver.map((h) => h.pid)).to.deep.equal([dead]);
    expect(JSON.parse(readFileSync(lockFile(), "utf8")).pid).to.equal(process.pid);
    expect(readdirSync(dir)).to.deep.equal([LOCK_FILE]);
    lock.release();
  });

  it("takes over a lock whose pid now belongs to another process (start time differs)", function () {
    write({ pid: process.pid, since: "2026-01-01T00:00:00.000Z", startTime: "1", purpose: "npm start" });
    const takenOver: LockHolder[] = [];
    acquireDataDirLock(dir, { purpose: "npm start", onTakeover: (stale) => takenOver.push(stale) }).release();
    expect(takenOver).to.have.length(1);
  });

  it("does not remove a lock that another process took after ours was taken over", function () {
    const lock = acquireDataDirLock(dir, { purpose: "npm start" });
    write({ pid: 1, since: "2026-01-01T00:00:00.000Z", purpose: "someone else" });
    lock.release();
    expect(JSON.parse(readFileSync(lockFile(), "utf8")).purpose).to.equal("someone else");
  });
});
