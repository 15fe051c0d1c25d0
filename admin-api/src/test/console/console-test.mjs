// Drives the Moat web console in a real browser (Debian's chromium, headless) for ConsoleBrowserTest:
// log in with the token, see the captured message in the inbox, open it (text part, sandboxed HTML
// part, attachment list), take a screenshot, delete it. Inputs come from the environment; any
// failure exits non-zero with the reason on stderr.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function need(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`console-test: environment variable ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const url = need('CONSOLE_URL');
const token = need('CONSOLE_TOKEN');
const subject = need('CONSOLE_SUBJECT');
const textSnippet = need('CONSOLE_TEXT');
const htmlSnippet = need('CONSOLE_HTML');
const attachment = need('CONSOLE_ATTACHMENT');
const filterName = need('CONSOLE_FILTER');
const screenshot = need('CONSOLE_SCREENSHOT');
const heldSubject = need('CONSOLE_HELD_SUBJECT');
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

const userDataDir = mkdtempSync(join(tmpdir(), 'moat-console-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  viewport: { width: 1280, height: 1000 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const errors = [];
try {
  const page = context.pages()[0] || await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (dialog) => dialog.accept());
  page.setDefaultTimeout(20000);

  await page.goto(url);
  await page.locator('#login').waitFor({ state: 'visible' });
  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');

  const row = page.locator('#message-rows tr', { hasText: subject });
  await row.waitFor({ state: 'visible' });
  await page.locator('#chain-rows td', { hasText: filterName }).first().waitFor();
  await page.waitForFunction(() => Number(document.getElementById('c-accepted').textContent) >= 1);

  await row.click();
  await page.locator('#message').waitFor({ state: 'visible' });
  await page.locator('#m-subject', { hasText: subject }).waitFor();
  await page.locator('pre.text-part', { hasText: textSnippet }).waitFor();
  const frame = page.locator('iframe.html-part');
  await frame.waitFor();
  const sandbox = await frame.getAttribute('sandbox');
  if (sandbox !== '') throw new Error(`the HTML part's iframe is not fully sandboxed: sandbox="${sandbox}"`);
  const html = page.frameLocator('iframe.html-part').locator('body');
  await html.getByText(htmlSnippet).waitFor();
  const scriptRan = await page.frameLocator('iframe.html-part').locator('#script-ran').count();
  if (scriptRan !== 0) throw new Error('a script in the HTML part ran');
  await page.locator('#m-attachments li.attachment', { hasText: attachment }).waitFor();

  await page.screenshot({ path: screenshot, fullPage: true });

  await page.click('#m-delete');
  await page.locator('#message').waitFor({ state: 'hidden' });
  await row.waitFor({ state: 'detached' });

  // the quarantine: the held message is listed with its reason, and released to its route
  await page.click('#tab-quarantine');
  const held = page.locator('#message-rows tr', { hasText: heldSubject });
  await held.waitFor({ state: 'visible' });
  await held.click();
  await page.locator('#m-envelope dd', { hasText: 'held by the test gate' }).first().waitFor();
  await page.locator('#m-release').waitFor({ state: 'visible' });
  await page.click('#m-release');
  await held.waitFor({ state: 'detached' });
  await page.locator('#inbox-total', { hasText: 'released' }).waitFor();

  if (errors.length) throw new Error('errors in the page: ' + errors.join('; '));
  console.log('console-test: ok');
} catch (e) {
  console.error('console-test: FAILED: ' + (e && e.stack ? e.stack : e));
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
