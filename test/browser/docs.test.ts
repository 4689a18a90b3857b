import path from "node:path";
import { expect } from "chai";
import type { Browser, BrowserContext } from "playwright-core";
import { ARTIFACTS, PHONE, axeViolations, sharedChromium, watch } from "./chromium";
import { sharedShareStack } from "./stack";

const DOCS_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

// Issue 22, point 10: the API's browsable page (Swagger UI from @fastify/swagger-ui, with our
// overrides in server/plugins/external/docs-theme/) passes axe as our own pages do, at a desk and
// on a phone, in the states a reader goes through.
describe("browser: /docs (Swagger UI) passes axe", function () {
  this.timeout(300_000);
  let browser: Browser;
  let context: BrowserContext;
  let baseUrl: string;

  before(async function () {
    ({ browser } = await sharedChromium(this));
    // The issuing API's /docs; the standalone verifier's is the same plugin.
    ({ baseUrl } = await sharedShareStack());
  });

  for (const viewport of [{ width: 1280, height: 900 }, PHONE]) {
    it(`has no axe violations at ${viewport.width}×${viewport.height}: the operations listed, one opened, tried out, and the Authorize dialog`, async function () {
      context = await browser.newContext({ viewport });
      try {
        const page = await context.newPage();
        const problems = watch(page);
        // Under a policy of this origin only (no inline code or styles), as the pages have: the
        // theme's overrides are files, so they need nothing more (watch() reports any refusal).
        // The document's policy is the one enforced: only the page itself goes through the route,
        // not its 2 MB of Swagger UI scripts and styles.
        await page.route(`${baseUrl}/docs`, async (route) => {
          const response = await route.fetch();
          await route.fulfill({ response, headers: { ...response.headers(), "content-security-policy": DOCS_CSP } });
        });
        const loaded = await page.goto(`${baseUrl}/docs`);
        expect(loaded?.headers()["content-security-policy"]).to.equal(DOCS_CSP);
        await page.waitForSelector(".opblock", { timeout: 30_000 });
        // Our overrides are in force (the POST badge's colour is the theme's, not Swagger UI's).
        expect(await page.$eval(".opblock-post .opblock-summary-method", (el) => getComputedStyle(el).backgroundColor)).to.equal("rgb(11, 107, 58)");
        const first = await axeViolations(page);
        // 60 s for each state to render (Swagger UI re-renders the whole operation): at a load of 30
        // on this 2-core machine, playwright's default 30 s ran out once, waiting for Execute at 360 px.
        await page.locator(".opblock-summary").first().click();
        await page.waitForSelector(".opblock.is-open", { timeout: 60_000 });
        const opened = await axeViolations(page);
        await page.locator(".opblock.is-open .try-out__btn").click();
        await page.waitForSelector(".opblock.is-open .execute", { timeout: 60_000 });
        const tryingOut = await axeViolations(page);
        await page.locator(".btn.authorize").first().click();
        await page.waitForSelector(".dialog-ux .modal-ux", { timeout: 60_000 });
        const authorizing = await axeViolations(page);
        const summary = [...first.map((v) => `listed: ${v}`), ...opened.map((v) => `opened: ${v}`), ...tryingOut.map((v) => `trying out: ${v}`), ...authorizing.map((v) => `authorizing: ${v}`)];
        await page.screenshot({ path: path.join(ARTIFACTS, `docs-${viewport.width}x${viewport.height}.png`) });
        expect(summary).to.deep.equal([]);
        expect(problems).to.deep.equal([]);
      } finally {
        await context.close();
      }
    });
  }
});
