import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Screenshots of the browser tests, kept as artefacts (gitignored). */
export const ARTEFACTS = join(__dirname, '../test-artefacts');

/**
 * Builds the console's browser files into dist, as `npm run build` does — unless the test command
 * already built dist/ (see buildDist in libs/testing): browser suites run in parallel and one
 * rewriting the bundle while another's browser loads it would hand it a half-written file.
 */
export function buildConsole(): void {
  if (process.env.FIRSTLINE_DIST_BUILT === '1') return;
  execFileSync('node', [join(__dirname, '../build-web.mjs')], { stdio: 'inherit' });
}

/** Debian's Chromium, installed (once) by the project's script. */
export async function launchChromium(): Promise<Browser> {
  const script = join(__dirname, '../../../deploy/local/chromium.sh');
  const executablePath = execFileSync('bash', [script], { encoding: 'utf8' }).trim();
  mkdirSync(ARTEFACTS, { recursive: true });
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

const policyRefusals = new WeakMap<Page, string[]>();

/** What the page's Content-Security-Policy refused so far (Chromium reports it on the console). */
export function refusedByPolicy(page: Page): string[] {
  return policyRefusals.get(page) ?? [];
}

/** Opens the console in a fresh browser context and signs in through its form. */
export async function signIn(browser: Browser, consoleUrl: string, email: string): Promise<Page> {
  const context = await browser.newContext({
    locale: 'en-GB',
    viewport: { width: 1400, height: 1000 },
  });
  const page = await context.newPage();
  const refused: string[] = [];
  policyRefusals.set(page, refused);
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) refused.push(message.text());
  });
  await page.goto(consoleUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('firstline-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTEFACTS, `${name}.png`), fullPage: true });
}
