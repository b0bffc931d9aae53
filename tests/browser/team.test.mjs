// An owner runs their team in a real browser: a bad address is refused next to the
// field, an invitation is sent and revoked, another is accepted from the emailed link
// by a new person in their own browser, whose role the owner then changes and who is
// finally removed. Along the way: an API key revoked, and the account page's forms.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 PARLEY_OUTBOX=/path/to/data/outbox node --test tests/browser/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, NEEDS_OUTBOX, PASSWORD, inBrowser, openHydrated, shot, signUp, stamp, unexpected, waitForEmailedToken,
} from './support.mjs';

/** Sends the invite form and waits for its answer (a row or an error). */
async function invite(page, email, role) {
  await page.fill('[data-testid="invite-email"]', email);
  await page.selectOption('[data-testid="invite-role"]', role);
  await page.click('[data-testid="invite-submit"]');
}

test('an owner invites, revokes, changes a role and removes a member; keys and account forms work', {
  skip: NEEDS_OUTBOX,
  timeout: 180_000,
}, () => inBrowser('team', async (page, _context, problems) => {
  const id = stamp();
  const workspace = `Team Co ${id}`;
  await signUp(page, { name: 'Tess Owner', email: `tess-${id}@example.com`, workspace });
  await page.evaluate(() => { window.__noReload = 'still-here'; });

  await page.click('[data-testid="nav-team"]');
  await page.waitForURL(`${BASE}/app/team`);
  await page.locator('[data-testid="member-row"]').first().waitFor();
  assert.equal(await page.locator('[data-testid="member-row"]').count(), 1);

  // An address the browser lets through but the server refuses: shown by the field.
  await invite(page, 'a@b', 'ANALYST');
  await page.locator('[data-testid="error-email"]').waitFor();
  assert.equal(await page.locator('[data-testid="invitation-row"]').count(), 0);

  // An invitation, then revoked.
  const dropped = `dropped-${id}@example.com`;
  await invite(page, dropped, 'ANALYST');
  const droppedRow = page.locator('[data-testid="invitation-row"]', { hasText: dropped });
  await droppedRow.waitFor();
  assert.match(await droppedRow.textContent(), /pending/);
  await droppedRow.locator('[data-testid="invitation-revoke"]').click();
  await page.locator('[data-testid="invitation-row"]', { hasText: dropped }).filter({ hasText: 'revoked' }).waitFor();

  // Another, accepted by a new person from the emailed link in their own browser.
  const joiner = `joiner-${id}@example.com`;
  await invite(page, joiner, 'ANALYST');
  await page.locator('[data-testid="invitation-row"]', { hasText: joiner }).waitFor();
  await shot(page, '30-team-invited');
  const token = await waitForEmailedToken(joiner, '/accept-invitation');
  await inBrowser('team-joiner', async (joinerPage, _c, joinerProblems) => {
    await openHydrated(joinerPage, `/accept-invitation?token=${encodeURIComponent(token)}`);
    await joinerPage.waitForSelector('[data-testid="accept-submit"]:not([disabled])');
    await joinerPage.fill('[data-testid="field-name"]', 'Jo Joiner');
    await joinerPage.fill('[data-testid="field-password"]', PASSWORD);
    await joinerPage.click('[data-testid="accept-submit"]');
    await joinerPage.waitForURL(`${BASE}/app`);
    const current = joinerPage.locator('[data-testid="current-workspace"][data-ws-id]');
    await current.waitFor();
    assert.equal((await current.locator('.ws-name').textContent()).trim(), workspace);
    // An analyst sees no jobs page in the navigation.
    assert.equal(await joinerPage.locator('[data-testid="nav-jobs"]').count(), 0);
    assert.deepEqual(unexpected(joinerProblems), []);
  });

  // The owner sees the new member (after a fresh look at the team) and makes them a marketer.
  await page.click('[data-testid="nav-dashboard"]');
  await page.click('[data-testid="nav-team"]');
  const joinerRow = page.locator('[data-testid="member-row"]', { hasText: joiner });
  await joinerRow.waitFor();
  assert.equal(await joinerRow.locator('[data-testid="member-role"]').inputValue(), 'ANALYST');
  await joinerRow.locator('[data-testid="member-role"]').selectOption('MARKETER');
  await page.waitForFunction(
    (email) => [...document.querySelectorAll('[data-testid="member-row"]')]
      .some((r) => r.textContent.includes(email) && r.querySelector('[data-testid="member-role"]').value === 'MARKETER'),
    joiner,
  );
  // The last owner cannot be demoted: the refusal is shown and the select snaps back.
  const ownerEmail = `tess-${id}@example.com`;
  const ownerRow = page.locator('[data-testid="member-row"]', { hasText: ownerEmail });
  await ownerRow.locator('[data-testid="member-role"]').selectOption('VIEWER');
  await page.locator('[data-testid="form-error"]').waitFor();
  await page.waitForFunction(
    (email) => [...document.querySelectorAll('[data-testid="member-row"]')]
      .some((r) => r.textContent.includes(email) && r.querySelector('[data-testid="member-role"]').value === 'OWNER'),
    ownerEmail,
  );
  // A fresh look at the team agrees.
  await page.click('[data-testid="nav-dashboard"]');
  await page.click('[data-testid="nav-team"]');
  await ownerRow.waitFor();
  assert.equal(await ownerRow.locator('[data-testid="member-role"]').inputValue(), 'OWNER');
  assert.equal(await joinerRow.locator('[data-testid="member-role"]').inputValue(), 'MARKETER');

  // Removal asks for confirmation first.
  await joinerRow.locator('[data-testid="member-remove"]').click();
  await joinerRow.locator('[data-testid="member-remove-confirm"]').click();
  await page.waitForFunction(
    (email) => ![...document.querySelectorAll('[data-testid="member-row"]')].some((r) => r.textContent.includes(email)),
    joiner,
  );
  assert.equal(await page.locator('[data-testid="member-row"]').count(), 1);
  await shot(page, '31-team-after-removal');

  // An API key, revoked from its row.
  await page.click('[data-testid="nav-api-keys"]');
  await page.fill('[data-testid="api-key-name"]', 'Old integration');
  await page.click('[data-testid="api-key-submit"]');
  const keyRow = page.locator('[data-testid="api-key-row"]', { hasText: 'Old integration' });
  await keyRow.waitFor();
  await keyRow.locator('[data-testid="api-key-revoke"]').click();
  await keyRow.filter({ hasText: 'revoked' }).waitFor();
  assert.equal(await keyRow.locator('[data-testid="api-key-revoke"]').count(), 0);

  // The account page: a new name shows in the frame; mismatched passwords are caught.
  await page.click('[data-testid="nav-account"]');
  await page.fill('[data-testid="profile-name"]', 'Tess Renamed');
  await page.click('[data-testid="profile-submit"]');
  await page.locator('[data-testid="profile-saved"]').waitFor();
  await page.locator('[data-testid="current-user"]', { hasText: 'Tess Renamed' }).waitFor();
  await page.fill('[data-testid="field-currentPassword"]', PASSWORD);
  await page.fill('[data-testid="field-newPassword"]', 'a whole new passphrase');
  await page.fill('[data-testid="field-repeatPassword"]', 'a whole new passphrase!');
  await page.click('[data-testid="password-submit"]');
  await page.locator('[data-testid="error-repeatPassword"]').waitFor();
  await page.fill('[data-testid="field-currentPassword"]', 'not my password at all');
  await page.fill('[data-testid="field-repeatPassword"]', 'a whole new passphrase');
  await page.click('[data-testid="password-submit"]');
  await page.locator('[data-testid="error-currentPassword"], [data-testid="form-error"]').first().waitFor();
  assert.equal(await page.locator('[data-testid="password-saved"]').count(), 0);
  await shot(page, '32-account');

  assert.equal(await page.evaluate(() => window.__noReload), 'still-here', 'everything happened without a reload');
  assert.deepEqual(unexpected(problems), [], 'no errors in the browser console');
}));
