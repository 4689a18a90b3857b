import { accessSync, constants } from "node:fs";
import path from "node:path";
import Mocha from "mocha";

/**
 * The programs outside Node that some tests drive, where they are looked for, and how to get
 * them (Debian's packages; `.ci/run` installs them all).
 */
export const TOOLS = {
  // Chromium's headless build (the one Playwright itself runs headless): the same Blink as the
  // browser, without the browser's UI process: a fifth to a third less CPU per page here. The full
  // browser serves where only it is installed.
  chromium: { what: "Chromium", find: () => onPath("chromium-headless-shell") ?? onPath("chromium"), install: "apt-get install -y chromium-headless-shell" },
  pdftoppm: { what: "pdftoppm (rasterises printed PDFs)", find: () => onPath("pdftoppm"), install: "apt-get install -y poppler-utils" },
  javac: { what: "javac (compiles the README's Java example)", find: () => onPath("javac"), install: "apt-get install -y openjdk-17-jdk-headless" },
  java: { what: "java (runs the README's Java example)", find: () => onPath("java"), install: "apt-get install -y openjdk-17-jdk-headless" },
  script: { what: "util-linux `script` (a pseudo-terminal for the CLI)", find: () => onPath("script"), install: "apt-get install -y util-linux" },
  curl: { what: "curl (runs the README's requests)", find: () => onPath("curl"), install: "apt-get install -y curl" },
} as const;

export type ToolName = keyof typeof TOOLS;

/** Under CI a missing tool fails the test: a run that skipped its browser tests must not pass. */
export const failsWhenMissing = () => /^(true|1)$/i.test(process.env.CI ?? "");

/** The tool's path, or undefined when it is not installed. */
export const findTool = (name: ToolName): string | undefined => TOOLS[name].find();

/** Why a test cannot run without `names`, and how to install them; undefined when all are there. */
export function missingTools(names: readonly ToolName[]): string | undefined {
  const missing = names.filter((name) => findTool(name) === undefined);
  if (missing.length === 0) return undefined;
  return `needs ${missing.map((name) => `${TOOLS[name].what}, not found on PATH (${TOOLS[name].install})`).join(" and ")}`;
}

/**
 * In a test or hook: the paths of the tools it needs. When one is missing, under CI=true the
 * test fails naming the tool and its install command; otherwise it is skipped (pending), with
 * the same reason printed.
 *
 * @example
 * before(function () {
 *   [chromium] = requireTools(this, "chromium");
 * });
 */
export function requireTools<T extends ToolName[]>(context: Mocha.Context, ...names: T): { [K in keyof T]: string } {
  const reason = missingTools(names);
  if (reason !== undefined) {
    if (failsWhenMissing()) throw new Error(`CI=true and this test ${reason}; .ci/run installs every tool the tests need`);
    const runnable = context.test;
    const where = runnable instanceof Mocha.Test ? runnable.fullTitle() : (runnable?.parent?.fullTitle() ?? "a test");
    console.warn(`    SKIPPED: ${where} ${reason}`);
    context.skip();
  }
  return names.map((name) => findTool(name)!) as { [K in keyof T]: string };
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
