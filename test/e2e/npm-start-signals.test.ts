import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../support/ports";
import { killLeftoverNode, waitFor } from "../support/service-process";

const ROOT = path.join(__dirname, "..", "..");

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `podman stop`, `docker stop` and `kill <npm's pid>` signal npm, which passes SIGTERM on to
 * its script's shell only: a shell that did not `exec` the service died and left the service
 * running with no parent, its lock held. The script execs, so the signal reaches the service.
 */
describe("e2e: `npm start` stopped by a signal to npm", function () {
  this.timeout(240_000);
  let dataDir: string;
  let servicePid: number | undefined;

  beforeEach(() => (dataDir = mkdtempSync(path.join(tmpdir(), "certchain-npm-start-"))));
  afterEach(() => {
    if (servicePid !== undefined && alive(servicePid)) process.kill(servicePid, "SIGKILL");
    killLeftoverNode(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("SIGTERM to npm stops the service itself, gracefully: it exits and releases its data directory's lock", async function () {
    const npm = spawn("npm", ["start"], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, PORT: String(await freePort()), DEV_CHAIN_PORT: String(await freePort()), LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    npm.stdout!.on("data", (chunk) => (output += chunk));
    npm.stderr!.on("data", (chunk) => (output += chunk));
    const lockFile = path.join(dataDir, "service.lock");
    await waitFor("npm start to be running", () => existsSync(path.join(dataDir, "demo.json")) || npm.exitCode !== null, 180_000);
    expect(npm.exitCode, output).to.equal(null);
    servicePid = (JSON.parse(readFileSync(lockFile, "utf8")) as { pid: number }).pid;
    expect(servicePid).to.not.equal(npm.pid);

    npm.kill("SIGTERM");
    await waitFor(`the service (pid ${servicePid}) to exit after SIGTERM to npm`, () => !alive(servicePid!), 60_000);
    expect(existsSync(lockFile), `the lock is released on a graceful stop\n${output}`).to.equal(false);
  });
});
