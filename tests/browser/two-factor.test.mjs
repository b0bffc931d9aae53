// Two-factor log-in in a real browser: turn it on from the account page with a code
// computed the way an authenticator app does (RFC 6238), keep the recovery codes, then
// log in again: the password alone asks for a code, a wrong code is refused next to the
// field, the app's code lets the user in, and a recovery code works too.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 node --test tests/browser/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { BASE, NEEDS_SERVER, PASSWORD, inBrowser, logIn, openHydrated, shot, signUp, stamp, unexpected } from './support.mjs';

/** RFC 4648 base32 to bytes. */
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of text.replace(/[\s=]/g, '').toUpperCase()) {
    const value = alphabet.indexOf(ch);
    assert.ok(value >= 0, `base32 character ${ch}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The six digits an authenticator app shows for `secret`, `steps` 30-second steps from now. */
function appCode(secret, steps = 0) {
  const counter = Math.floor(Date.now() / 1000 / 30) + steps;
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac('sha1', base32(secret)).update(message).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const binary = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(binary).padStart(6, '0');
}

test('an authenticator app guards the log-in, with recovery codes as a way back in', {
  skip: NEEDS_SERVER,
  timeout: 180_000,
}, () => inBrowser('two-factor', async (page, _context, problems) => {
  const id = stamp();
  const email = `guarded-${id}@example.com`;
  await signUp(page, { name: 'Gus Guarded', email, workspace: `Guarded Co ${id}` });

  await page.click('[data-testid="nav-account"]');
  await page.waitForURL(`${BASE}/app/account`);
  await page.locator('[data-testid="two-factor-status"]', { hasText: 'off' }).waitFor();
  // Setting it up takes the password first: a borrowed session alone cannot do it.
  await page.fill('[data-testid="two-factor-start-password"]', 'Not-my-password-1');
  await page.click('[data-testid="two-factor-start"]');
  await page.locator('[data-testid="error-password"]').waitFor();
  await page.fill('[data-testid="two-factor-start-password"]', PASSWORD);
  await page.click('[data-testid="two-factor-start"]');
  const secretBox = page.locator('[data-testid="two-factor-secret"]');
  await secretBox.waitFor();
  const secret = await secretBox.getAttribute('data-secret');
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.match(await page.locator('[data-testid="two-factor-uri"]').getAttribute('href'), /^otpauth:\/\/totp\/Parley/);

  // A typo is refused next to the field; the app's code turns it on.
  // Codes of successive steps (each is accepted once): the previous step's now, the
  // current one to log in, the next one for new recovery codes.
  const first = appCode(secret, -1);
  await page.fill('[data-testid="two-factor-code"]', first === '000000' ? '111111' : '000000');
  await page.click('[data-testid="two-factor-confirm"]');
  await page.locator('[data-testid="error-code"]').waitFor();
  await page.fill('[data-testid="two-factor-code"]', first);
  await page.click('[data-testid="two-factor-confirm"]');
  await page.locator('[data-testid="recovery-codes"]').waitFor();
  const recovery = await page.locator('[data-testid="recovery-code"]').allTextContents();
  assert.equal(recovery.length, 10);
  await page.locator('[data-testid="two-factor-status"]', { hasText: '10 recovery codes left' }).waitFor();
  await shot(page, '40-two-factor-on');
  await page.click('[data-testid="recovery-codes-done"]');
  assert.equal(await page.locator('[data-testid="recovery-codes"]').count(), 0);

  // Log out, and back in: the password alone asks for the code.
  await page.click('[data-testid="logout"]');
  await page.waitForURL(`${BASE}/login`);
  await logIn(page, email, PASSWORD);
  await page.locator('[data-testid="error-totpCode"]').waitFor();
  assert.equal(new URL(page.url()).pathname, '/login');
  await page.fill('[data-testid="field-totpCode"]', '12345');
  await page.click('[data-testid="login-submit"]');
  await page.locator('[data-testid="error-totpCode"]', { hasText: /wrong/ }).waitFor();
  await shot(page, '41-two-factor-code-asked');
  await page.fill('[data-testid="field-totpCode"]', appCode(secret, 0));
  await page.click('[data-testid="login-submit"]');
  await page.waitForURL(`${BASE}/app`);
  await page.locator('[data-testid="current-workspace"][data-ws-id]').waitFor();

  // A recovery code works in place of the app.
  await page.click('[data-testid="logout"]');
  await page.waitForURL(`${BASE}/login`);
  await openHydrated(page, '/login');
  await logIn(page, email, PASSWORD);
  await page.locator('[data-testid="field-totpCode"]').waitFor();
  await page.fill('[data-testid="field-totpCode"]', recovery[0]);
  await page.click('[data-testid="login-submit"]');
  await page.waitForURL(`${BASE}/app`);
  await page.click('[data-testid="nav-account"]');
  await page.locator('[data-testid="two-factor-status"]', { hasText: '9 recovery codes left' }).waitFor();

  // New recovery codes replace the old ones.
  await page.fill('[data-testid="recovery-renew-password"]', PASSWORD);
  await page.fill('[data-testid="recovery-renew-code"]', appCode(secret, 1));
  await page.click('[data-testid="recovery-renew"]');
  await page.locator('[data-testid="recovery-codes"]').waitFor();
  const renewed = await page.locator('[data-testid="recovery-code"]').allTextContents();
  assert.equal(renewed.length, 10);
  assert.ok(renewed.every((c) => !recovery.includes(c)), 'all new codes');
  await page.locator('[data-testid="two-factor-status"]', { hasText: '10 recovery codes left' }).waitFor();

  // Off again, with the password.
  await page.fill('[data-testid="two-factor-password"]', PASSWORD);
  await page.click('[data-testid="two-factor-disable"]');
  await page.locator('[data-testid="two-factor-status"]', { hasText: 'off' }).waitFor();

  assert.deepEqual(unexpected(problems), [], 'no errors in the browser console');
}));
