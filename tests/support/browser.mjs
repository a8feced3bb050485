// Opens a phx.gen.live resource page of a running app in headless Chromium and uses it as a person
// would: waits for LiveView's websocket to connect, creates a row through the form, reads it back after a
// reload, then opens LiveDashboard (basic authentication) and waits for its live page to connect and show
// the system's information; records every failed request and console error. Prints one JSON line; exits
// 1 when a check fails. tests/integration/shop.rs runs it.
//
//   node browser.mjs <playwright-core dir> <chromium> <page URL> <name to create> <screenshot.png> \
//     <dashboard URL> <dashboard user> <dashboard password>
import { createRequire } from "node:module";

const [playwrightDir, chromiumPath, url, name, screenshot, dashboardUrl, user, password] = process.argv.slice(2);
const { chromium } = createRequire(import.meta.url)(playwrightDir);

const result = {
  connected: false, created: false, after_reload: false, dashboard: false, failed: [], console_errors: [],
};
const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
const watch = (page) => {
  page.on("response", (response) => {
    if (response.status() >= 400) result.failed.push(`${response.status()} ${response.url()}`);
  });
  page.on("requestfailed", (request) => result.failed.push(`failed ${request.url()}`));
  page.on("console", (message) => {
    if (message.type() === "error") result.console_errors.push(message.text());
  });
};
try {
  const page = await browser.newPage();
  watch(page);

  await page.goto(url);
  // LiveView marks its root element once the websocket has joined the live view.
  await page.waitForSelector("[data-phx-main].phx-connected", { timeout: 30000 });
  result.connected = true;

  // The generated "New Product" link patches to the form (over the socket), which saves over it too.
  await page.getByText("New Product").click();
  await page.fill('input[name="product[name]"]', name);
  await page.fill('input[name="product[price]"]', "12");
  await page.getByRole("button", { name: "Save Product" }).click();
  await page.getByText("Product created successfully").waitFor({ timeout: 30000 });
  await page.getByRole("cell", { name, exact: true }).first().waitFor({ timeout: 30000 });
  result.created = true;

  await page.reload();
  await page.waitForSelector("[data-phx-main].phx-connected", { timeout: 30000 });
  result.after_reload = (await page.getByRole("cell", { name, exact: true }).count()) > 0;
  await page.screenshot({ path: screenshot, fullPage: true });

  // LiveDashboard: its own live view (its own JS and CSS, served by the route), over the same socket path.
  const admin = await browser.newContext({ httpCredentials: { username: user, password } });
  const dashboard = await admin.newPage();
  watch(dashboard);
  await dashboard.goto(dashboardUrl);
  await dashboard.waitForSelector("[data-phx-main].phx-connected", { timeout: 30000 });
  await dashboard.getByText("System information").waitFor({ timeout: 30000 });
  result.dashboard = true;
  await dashboard.screenshot({ path: screenshot.replace(/\.png$/, "-dashboard.png"), fullPage: true });
} catch (error) {
  result.error = String(error);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
const ok = result.connected && result.created && result.after_reload && result.dashboard && !result.error &&
  result.failed.length === 0 && result.console_errors.length === 0;
process.exit(ok ? 0 : 1);
