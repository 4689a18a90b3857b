import { expect } from "chai";
import type { Browser } from "playwright-core";
import { axeViolations, sharedChromium } from "./chromium";

// The browser tests' axe checks pass only if axeViolations would have failed them: it runs axe in
// legacy mode and keeps only the violations' nodes (chromium.ts says why); this page breaks four
// default rules, one of them (colour contrast) measured from the rendered page.
const BROKEN = `<!doctype html><html><head><title>broken</title></head><body><main><h1>Broken</h1>
<p style="color:#aaa;background:#fff">Grey on white, 2.3:1</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input type="text"></main></body></html>`;

describe("browser: axeViolations reports what axe finds", function () {
  this.timeout(120_000);
  let browser: Browser;

  before(async function () {
    ({ browser } = await sharedChromium(this));
  });

  it("a page without lang, with low contrast, an image without alt and an unlabelled input: each rule named, with the offending element", async function () {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.setContent(BROKEN);
      const found = await axeViolations(page);
      expect(found.map((line) => line.split(" ")[0]).sort()).to.deep.equal(["color-contrast", "html-has-lang", "image-alt", "label"]);
      expect(found.find((line) => line.startsWith("color-contrast"))).to.include("p");
      expect(found.find((line) => line.startsWith("label"))).to.include("input");
    } finally {
      await context.close();
    }
  });
});
