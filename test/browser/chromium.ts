import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, Page } from "playwright-core";
import { sharedFixture } from "../support/shared";
import { findTool, requireTools } from "../support/tools";

export const ARTIFACTS = path.join(__dirname, "..", "..", "test-artifacts");
export const PHONE = { width: 360, height: 740 };
// TOOLCHAIN.md's flags; playwright gives every launch a fresh user-data-dir of its own.
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

interface SharedChromium {
  browser: Browser;
  /** The Y4M file the fake camera plays (looping); write it before a page opens the camera. */
  cameraVideo: string;
  dir: string;
}

const shared = sharedFixture<SharedChromium>("Chromium", {
  async start() {
    const { chromium } = await import("playwright-core");
    const executablePath = findTool("chromium")!;
    mkdirSync(ARTIFACTS, { recursive: true });
    const dir = mkdtempSync(path.join(tmpdir(), "certchain-chromium-"));
    const cameraVideo = path.join(dir, "camera.y4m");
    // Chromium opens the fake camera's file when a page first asks for the camera, not at launch.
    const args = [...CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-video-capture=${cameraVideo}`];
    return { browser: await chromium.launch({ executablePath, args }), cameraVideo, dir };
  },
  async stop({ browser, dir }) {
    await browser.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  },
  // Playwright kills the browsers it launched when this process exits.
  kill: ({ dir }) => rmSync(dir, { recursive: true, force: true }),
});

/**
 * The one Chromium (Debian's) of this mocha process, launched on first use and shared by every
 * test file: each file opens contexts of its own and closes them, never the browser. Without
 * Chromium the test is skipped, saying why; under CI=true it fails (test/support/tools.ts).
 */
export async function sharedChromium(context: Mocha.Context): Promise<SharedChromium> {
  requireTools(context, "chromium");
  return shared();
}

/** Everything a page did wrong: script errors and CSP refusals. */
export function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" || /Content Security Policy/i.test(message.text())) problems.push(`console ${message.type()}: ${message.text()}`);
  });
  return problems;
}

/**
 * axe-core's violations on the page as it is now, a line each: every rule axe runs by default
 * (WCAG 2.x A/AA and best practices). Two settings make a run several times cheaper and find the
 * same violations: legacy mode runs axe.run in the page itself (the default merges each frame's
 * partial results in a blank page it opens per run; our pages have no frames), and only the
 * violations list every node (the passes' nodes of /docs alone came to 1.5 MB, copied to Node on
 * every run and never read).
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).setLegacyMode(true).options({ resultTypes: ["violations"] }).analyze();
  return violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => `${n.target.join(" ")} ${n.failureSummary?.split("\n")[1] ?? ""}`).join(" | ")}`);
}

/**
 * Phone-sized basics, measured in the page: no sideways scrolling, base text ≥ 18 px, one h1,
 * a label for every control, touch targets ≥ 44 px and text contrast ≥ 4.5:1 (WCAG's formula,
 * against the nearest painted background).
 */
export async function checkAccessibility(page: Page, label: string) {
  const report = await page.evaluate(() => {
    const parse = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el: Element | null): number[] => {
      for (; el; el = el.parentElement) {
        const c = parse(getComputedStyle(el).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const visible = (el: Element) => {
      const r = (el as HTMLElement).getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
    };
    const lowContrast: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || !node.textContent?.trim() || !visible(el) || el.closest("[hidden], noscript, .skip")) continue;
      const fg = luminance(parse(getComputedStyle(el).color));
      const bg = luminance(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5) lowContrast.push(`${node.textContent.trim().slice(0, 30)} (${ratio.toFixed(2)})`);
    }
    const controls = [...document.querySelectorAll("input, select, textarea, button")].filter((el) => !el.closest("[hidden]"));
    const unlabelled = controls
      .filter((el) => {
        const c = el as HTMLInputElement;
        return !(c.labels && c.labels.length > 0) && !c.getAttribute("aria-label") && !(el.tagName === "BUTTON" && el.textContent?.trim());
      })
      .map((el) => el.outerHTML.slice(0, 80));
    const small = [...document.querySelectorAll("button, .button, select, input[type=text], label.button")]
      .filter((el) => visible(el) && !el.closest("[hidden]"))
      .filter((el) => (el as HTMLElement).getBoundingClientRect().height < 44)
      .map((el) => el.outerHTML.slice(0, 80));
    return {
      scrollWidth: document.documentElement.scrollWidth,
      fontSize: parseFloat(getComputedStyle(document.body).fontSize),
      h1: document.querySelectorAll("h1").length,
      lang: document.documentElement.lang,
      lowContrast,
      unlabelled,
      small,
    };
  });
  expect(report.scrollWidth, `${label}: sideways scroll`).to.be.at.most(PHONE.width);
  expect(report.fontSize, `${label}: base font`).to.be.at.least(18);
  expect(report.h1, `${label}: h1`).to.equal(1);
  expect(report.lang, `${label}: lang`).to.be.oneOf(["zh-CN", "en"]);
  expect(report.lowContrast, `${label}: low contrast`).to.deep.equal([]);
  expect(report.unlabelled, `${label}: unlabelled controls`).to.deep.equal([]);
  expect(report.small, `${label}: small touch targets`).to.deep.equal([]);
}
