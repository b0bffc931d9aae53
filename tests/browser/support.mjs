// What every browser story shares: Debian's Chromium launched once per file with the
// flags this machine needs, screenshots, the browser's own complaints, and the steps
// most stories start with (sign up, log in).
//
//   PARLEY_BASE_URL   a running Parley (scripts/browser-test.sh starts one)
//   PARLEY_OUTBOX     that server's file outbox, for stories that read emails
//   PARLEY_SHOTS_DIR  where screenshots go (default /tmp/parley-shots)
//   PARLEY_CHROMIUM   the browser (default /usr/bin/chromium)

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = (process.env.PARLEY_BASE_URL ?? '').replace(/\/$/, '');
export const OUTBOX = process.env.PARLEY_OUTBOX ?? '';
export const SHOTS = process.env.PARLEY_SHOTS_DIR ?? '/tmp/parley-shots';
export const PASSWORD = 'correct horse battery staple';

/** `skip` for a story that needs a server. */
export const NEEDS_SERVER = BASE ? false : 'set PARLEY_BASE_URL to a running Parley (e.g. http://127.0.0.1:8080)';
/** `skip` for a story that also reads the server's emails. */
export const NEEDS_OUTBOX = NEEDS_SERVER || (OUTBOX ? false : "set PARLEY_OUTBOX to the server's file outbox directory");

// Without the background-networking flags Chromium keeps calling out to hosts this
// machine cannot reach.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let browser;
let profileDir;

before(async () => {
  if (!BASE) return;
  await mkdir(SHOTS, { recursive: true });
  // A fresh profile every run: no cookies or localStorage from an earlier run.
  profileDir = await mkdtemp(path.join(tmpdir(), 'parley-chromium-'));
  browser = await chromium.launch({
    executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, `--disk-cache-dir=${profileDir}/cache`],
  });
});

after(async () => {
  await browser?.close();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
});

/** A unique suffix for names and emails. */
export const stamp = () => `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;

export const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

/** Collects the browser's own complaints (page errors, console errors). */
export function watchConsole(page) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  return problems;
}

/** Console errors other than the 401/403/404 answers a story provokes on purpose. */
export const unexpected = (problems) => problems.filter((p) => !/status of 40[134]/.test(p));

/**
 * Runs `steps(page, context, problems)` in a new browser context; on failure, keeps a
 * screenshot named `zz-<name>-failure` and adds what the browser said to the error.
 */
export async function inBrowser(name, steps, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems = watchConsole(page);
  try {
    await steps(page, context, problems);
  } catch (error) {
    await shot(page, `zz-${name}-failure`).catch(() => {});
    if (problems.length) error.message += `\nbrowser said:\n  ${problems.join('\n  ')}`;
    throw error;
  } finally {
    await context.close();
  }
}

/** Opens the sign-up page and waits until the wasm has hydrated it. */
export async function openHydrated(page, pathname) {
  const wasm = page.waitForResponse((r) => r.url().endsWith('.wasm'));
  await page.goto(`${BASE}${pathname}`);
  assert.ok((await wasm).ok(), 'the .wasm bundle did not load');
  await page.waitForSelector('body[data-hydrated="true"]');
}

/** Signs up through the form and waits for the signed-in frame; returns the workspace ID. */
export async function signUp(page, { name, email, password = PASSWORD, workspace, agency = false }) {
  await openHydrated(page, '/signup');
  await page.waitForSelector('[data-testid="signup-submit"]:not([disabled])');
  await page.fill('[data-testid="field-name"]', name);
  await page.fill('[data-testid="field-email"]', email);
  await page.fill('[data-testid="field-password"]', password);
  await page.fill('[data-testid="field-workspaceName"]', workspace);
  if (agency) await page.check('[data-testid="kind-agency"]');
  await page.click('[data-testid="signup-submit"]');
  await page.waitForURL(`${BASE}/app`);
  const current = page.locator('[data-testid="current-workspace"][data-ws-id]');
  await current.waitFor();
  return current.getAttribute('data-ws-id');
}

/** Fills and sends the log-in form (the page must be showing it). */
export async function logIn(page, email, password = PASSWORD) {
  await page.waitForSelector('[data-testid="login-submit"]:not([disabled])');
  await page.fill('[data-testid="field-email"]', email);
  await page.fill('[data-testid="field-password"]', password);
  await page.click('[data-testid="login-submit"]');
}

/** Posts a GraphQL operation with a bearer credential; returns the parsed answer. */
export async function graphql(query, { bearer, workspace, variables } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (workspace) headers['x-parley-workspace'] = workspace;
  const response = await fetch(`${BASE}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  assert.equal(response.status, 200);
  return response.json();
}

/** The data of a GraphQL answer that must succeed (its errors fail the story). */
export async function ok(query, options) {
  const answer = await graphql(query, options);
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  return answer.data;
}

/** Undoes quoted-printable: `=\r\n` soft breaks, then `=XX` bytes (`=3D` is `=`). */
function decodeQuotedPrintable(text) {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The token of the `linkPath?token=…` link in one .eml addressed to `email`, or null. */
function tokenIn(eml, email, linkPath) {
  const headerEnd = eml.search(/\r?\n\r?\n/);
  const headers = (headerEnd < 0 ? eml : eml.slice(0, headerEnd)).replace(/\r?\n[ \t]+/g, ' ');
  const to = headers.match(/^To:(.*)$/im)?.[1] ?? '';
  if (!to.toLowerCase().includes(email.toLowerCase())) return null;
  // Text and HTML parts are quoted-printable; a base64 part is decoded too, just in case.
  let body = decodeQuotedPrintable(eml);
  for (const [, b64] of eml.matchAll(/Content-Transfer-Encoding: base64\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/gi)) {
    body += Buffer.from(b64.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  const found = body.match(new RegExp(`${escapeRegExp(linkPath)}\\?token=([A-Za-z0-9._~%-]+)`))?.[1];
  return found ? decodeURIComponent(found) : null;
}

/**
 * Waits for the newest email to `email` in the server's outbox with a `linkPath?token=…`
 * link (the server's default SMTP URL is a file outbox) and returns the token.
 */
export async function waitForEmailedToken(email, linkPath, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = [];
    const names = await readdir(OUTBOX).catch(() => []);
    for (const name of names.filter((n) => n.endsWith('.eml'))) {
      const file = path.join(OUTBOX, name);
      try {
        const token = tokenIn(await readFile(file, 'utf8'), email, linkPath);
        if (token) found.push({ token, mtime: (await stat(file)).mtimeMs });
      } catch {
        // Being written right now: look again on the next round.
      }
    }
    if (found.length) return found.sort((a, b) => b.mtime - a.mtime)[0].token;
    if (Date.now() > deadline) {
      throw new Error(`no email to ${email} with a ${linkPath} link in ${OUTBOX} (${names.length} files there)`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
