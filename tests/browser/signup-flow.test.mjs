// An agency signs up in a real browser, adds a client, switches to it without a page
// reload, makes an API key there, and a developer uses that key over plain HTTP.
// A visitor without JavaScript still gets the server-rendered log-in form.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 node --test tests/browser/
//
// Needs Debian's Chromium (/usr/bin/chromium) and `npm install` in tests/browser.
// Screenshots of the key steps land in /tmp/parley-shots/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, NEEDS_SERVER, PASSWORD, inBrowser, openHydrated, shot, signUp, stamp, unexpected } from './support.mjs';

async function stillSamePage(page) {
  assert.equal(
    await page.evaluate(() => window.__noReload),
    'still-here',
    'the page reloaded: window.__noReload was lost',
  );
}

test('an agency signs up, adds a client, switches to it and makes an API key that works', {
  skip: NEEDS_SERVER,
  timeout: 180_000,
}, () => inBrowser('signup', async (page, context, problems) => {
    const id = stamp();
    const email = `agency-${id}@example.com`;
    const agencyName = `Northwind Agency ${id}`;
    const clientName = `Contoso Client ${id}`;

    // The sign-up page is server-rendered, then the wasm hydrates it.
    await openHydrated(page, '/signup');
    await page.waitForSelector('[data-testid="signup-submit"]:not([disabled])');
    await page.evaluate(() => { window.__noReload = 'still-here'; });

    await page.fill('[data-testid="field-name"]', 'Alex Agency');
    await page.fill('[data-testid="field-email"]', email);
    await page.fill('[data-testid="field-password"]', PASSWORD);
    await page.fill('[data-testid="field-workspaceName"]', agencyName);
    await page.check('[data-testid="kind-agency"]');
    await shot(page, '01-signup-filled');
    await page.click('[data-testid="signup-submit"]');

    // Signed in: the dashboard frame shows the agency workspace, with no reload.
    await page.waitForURL(`${BASE}/app`);
    const current = page.locator('[data-testid="current-workspace"]');
    await page.waitForSelector('[data-testid="current-workspace"][data-ws-kind="AGENCY"]');
    assert.equal((await current.locator('.ws-name').textContent()).trim(), agencyName);
    await stillSamePage(page);
    await shot(page, '02-agency-dashboard');

    // The agency adds a client from the workspace switcher.
    await page.fill('[data-testid="create-client-name"]', clientName);
    await page.click('[data-testid="create-client-submit"]');
    const clientOption = page.locator('[data-testid="workspace-option"][data-ws-kind="CLIENT"]', {
      hasText: clientName,
    });
    await clientOption.waitFor();
    const clientId = await clientOption.getAttribute('data-ws-id');
    assert.ok(clientId, 'the client option carries its workspace id');
    await shot(page, '03-client-created');

    // Switching to the client changes the workspace in place.
    await clientOption.click();
    await page.waitForSelector(`[data-testid="current-workspace"][data-ws-id="${clientId}"][data-ws-kind="CLIENT"]`);
    assert.equal((await current.locator('.ws-name').textContent()).trim(), clientName);
    assert.equal(await page.evaluate(() => localStorage.getItem('parley.workspace')), clientId);
    const cookies = await context.cookies(BASE);
    assert.equal(
      decodeURIComponent(cookies.find((c) => c.name === 'parley_ws')?.value ?? ''),
      clientId,
      'the parley_ws cookie follows the switch',
    );
    await stillSamePage(page);
    await shot(page, '04-switched-to-client');

    // In the client workspace, make an API key; its secret is shown once.
    await page.click('[data-testid="nav-api-keys"]');
    await page.waitForURL(`${BASE}/app/api-keys`);
    await page.fill('[data-testid="api-key-name"]', 'Website tracking');
    await page.selectOption('[data-testid="api-key-role"]', 'MARKETER');
    await page.click('[data-testid="api-key-submit"]');
    const secret = (await page.locator('[data-testid="api-key-secret"]').textContent()).trim();
    assert.ok(secret.length >= 16, `a secret is shown (got ${JSON.stringify(secret)})`);
    await page.locator('[data-testid="api-key-row"]', { hasText: 'Website tracking' }).waitFor();
    await stillSamePage(page);
    await shot(page, '05-api-key-secret');

    // A developer uses the key: it works in the client workspace.
    const response = await fetch(`${BASE}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ query: '{ workspace { id name kind } }' }),
    });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    assert.deepEqual(body.data.workspace, { id: clientId, name: clientName, kind: 'CLIENT' });

    assert.deepEqual(unexpected(problems), [], 'no errors in the browser console');
}));

test('signing up with a registered address says to check the inbox and opens nothing', {
  skip: NEEDS_SERVER,
  timeout: 120_000,
}, () => inBrowser('signup-taken', async (page, context, problems) => {
    const id = stamp();
    const email = `taken-${id}@example.com`;
    await signUp(page, { name: 'Tia Taken', email, workspace: `Taken Co ${id}` });
    await context.clearCookies();
    await page.evaluate(() => localStorage.clear());

    // Someone else tries the same address with their own password.
    await openHydrated(page, '/signup');
    await page.waitForSelector('[data-testid="signup-submit"]:not([disabled])');
    await page.fill('[data-testid="field-name"]', 'Mallory Probe');
    await page.fill('[data-testid="field-email"]', email);
    await page.fill('[data-testid="field-password"]', 'Another-pass-42');
    await page.fill('[data-testid="field-workspaceName"]', `Probe ${id}`);
    await page.click('[data-testid="signup-submit"]');
    const banner = page.locator('[data-testid="signup-check-inbox"]');
    await banner.waitFor();
    assert.match(await banner.textContent(), new RegExp(`Check your inbox.*${email.replace(/[.]/g, '\\.')}`));
    assert.ok(await page.locator('[data-testid="signup-form"]').isHidden(), 'the form gives way to the message');
    assert.equal(new URL(page.url()).pathname, '/signup', 'no way into the app');
    const cookies = await context.cookies(BASE);
    assert.equal(cookies.find((c) => c.name === 'parley_at'), undefined, 'no session was opened');
    await shot(page, '07-signup-registered-address');
    assert.deepEqual(unexpected(problems), [], 'no errors in the browser console');
}));

test('without JavaScript the log-in form is still rendered by the server', { skip: NEEDS_SERVER }, () =>
  inBrowser('no-js', async (page) => {
    const response = await page.goto(`${BASE}/login`);
    assert.equal(response.status(), 200);
    await page.locator('[data-testid="login-form"]').waitFor();
    assert.ok(await page.locator('[data-testid="field-email"]').isVisible());
    assert.ok(await page.locator('[data-testid="field-password"]').isVisible());
    assert.ok(await page.locator('[data-testid="login-submit"]').isVisible());
    assert.equal(await page.title(), 'Log in · Parley');
    assert.equal(await page.locator('body[data-hydrated]').count(), 0, 'nothing hydrated without JavaScript');
    await shot(page, '06-login-without-js');
  }, { javaScriptEnabled: false }));
