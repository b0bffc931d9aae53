// Someone who forgot their password gets back in through the emailed link, in a real
// browser: sign up, log out, "Forgot your password?", open the link from the email the
// server wrote into its outbox, choose a new password, log in with it.
// An owner also finds the workspace's background jobs (those emails) under "Jobs".
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 PARLEY_OUTBOX=/path/to/data/outbox node --test tests/browser/
//
// scripts/browser-test.sh sets both. The server's default SMTP URL is a file outbox:
// every email lands there as an .eml file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, NEEDS_OUTBOX, NEEDS_SERVER, graphql, inBrowser, logIn, shot, signUp, stamp, unexpected, waitForEmailedToken,
} from './support.mjs';

test('a user who forgot their password resets it from the emailed link and logs in with the new one', {
  skip: NEEDS_OUTBOX,
  timeout: 180_000,
}, () => inBrowser('reset', async (page, _context, problems) => {
    const id = stamp();
    const email = `forgetful-${id}@example.com`;
    const oldPassword = 'correct horse battery staple';
    const newPassword = 'a brand new horse, battery included';
    await signUp(page, { name: 'Fran Forgetful', email, password: oldPassword, workspace: `Forgetful Co ${id}` });

    // Log out: back on the log-in page, which offers a way back in.
    await page.click('[data-testid="logout"]');
    await page.waitForURL(`${BASE}/login`);
    await page.click('[data-testid="forgot-password-link"]');
    await page.waitForURL(`${BASE}/forgot-password`);
    await page.waitForSelector('[data-testid="forgot-submit"]:not([disabled])');
    // An address the server cannot use is shown next to the field (the browser lets it through).
    await page.fill('[data-testid="field-email"]', 'a@b');
    await page.click('[data-testid="forgot-submit"]');
    await page.locator('[data-testid="error-email"]').waitFor();
    assert.equal(await page.locator('[data-testid="forgot-sent"]').count(), 0);
    await page.fill('[data-testid="field-email"]', email);
    await shot(page, '10-forgot-password');
    await page.click('[data-testid="forgot-submit"]');
    const sent = page.locator('[data-testid="forgot-sent"]');
    await sent.waitFor();
    assert.match(await sent.textContent(), /If an account exists for that address, we emailed a link/);
    await shot(page, '11-forgot-password-sent');

    // A made-up link is refused, in the banner like the other emailed-link pages.
    await page.goto(`${BASE}/reset-password?token=not-a-real-token`);
    await page.waitForSelector('body[data-hydrated="true"]');
    await page.waitForSelector('[data-testid="reset-submit"]:not([disabled])');
    await page.fill('[data-testid="field-newPassword"]', newPassword);
    await page.fill('[data-testid="field-confirmPassword"]', newPassword);
    await page.click('[data-testid="reset-submit"]');
    await page.locator('[data-testid="form-error"]').waitFor();
    assert.equal(await page.locator('[data-testid="reset-ok"]').count(), 0);

    // The server's worker writes the email into the outbox; open its link.
    const token = await waitForEmailedToken(email, '/reset-password');
    await page.goto(`${BASE}/reset-password?token=${encodeURIComponent(token)}`);
    await page.waitForSelector('body[data-hydrated="true"]');
    await page.waitForSelector('[data-testid="reset-submit"]:not([disabled])');

    // A typo in the confirmation is caught in the browser, next to the field.
    await page.fill('[data-testid="field-newPassword"]', newPassword);
    await page.fill('[data-testid="field-confirmPassword"]', `${newPassword}!`);
    await page.click('[data-testid="reset-submit"]');
    const mismatch = page.locator('[data-testid="error-confirmPassword"]');
    await mismatch.waitFor();
    assert.match(await mismatch.textContent(), /do not match/);
    await shot(page, '12-reset-mismatch');

    await page.fill('[data-testid="field-confirmPassword"]', newPassword);
    await page.click('[data-testid="reset-submit"]');
    await page.locator('[data-testid="reset-ok"]').waitFor();
    await shot(page, '13-reset-done');

    // The link works once.
    const reused = await graphql('mutation($input: ResetPasswordInput!) { resetPassword(input: $input) { id } }', {
      variables: { input: { token, newPassword: 'yet another horse battery' } },
    });
    assert.equal(reused.errors?.[0]?.extensions?.field, 'token', JSON.stringify(reused));

    // The old password no longer works; the new one does, and lands in the workspace.
    await page.click('[data-testid="reset-login"]');
    await page.waitForURL(`${BASE}/login`);
    await logIn(page, email, oldPassword);
    await page.locator('[data-testid="form-error"], [data-testid="error-password"], [data-testid="error-email"]').first().waitFor();
    assert.equal(new URL(page.url()).pathname, '/login');
    await logIn(page, email, newPassword);
    await page.waitForURL(`${BASE}/app`);
    await page.waitForSelector('[data-testid="current-workspace"][data-ws-id]');
    assert.match(await page.locator('[data-testid="current-user"]').textContent(), new RegExp(email.replace(/[.+]/g, '\\$&')));
    await shot(page, '14-logged-in-with-new-password');

    assert.deepEqual(unexpected(problems), [], 'no errors in the browser console');
}));

test('an owner finds the background jobs in the left nav and filters them by state', {
  skip: NEEDS_SERVER,
  timeout: 120_000,
}, () => inBrowser('jobs', async (page, _context, problems) => {
    const id = stamp();
    await signUp(page, { name: 'Olive Owner', email: `owner-${id}@example.com`, workspace: `Jobs Co ${id}` });

    // Owners see "Jobs"; the sign-up queued at least the verification email.
    await page.click('[data-testid="nav-jobs"]');
    await page.waitForURL(`${BASE}/app/jobs`);
    await page.locator('[data-testid="job-row"]').first().waitFor();
    await shot(page, '15-jobs');

    // Dead jobs only: none here, and nothing else shown.
    await page.click('[data-testid="jobs-filter-dead"]');
    await page.locator('[data-testid="jobs-empty"]').waitFor();
    assert.equal(await page.locator('[data-testid="job-row"]').count(), 0);
    assert.equal(await page.locator('[data-testid="jobs-filter-dead"]').getAttribute('aria-pressed'), 'true');

    // Back to all: the rows come back, each with kind, state and attempts.
    await page.click('[data-testid="jobs-filter-all"]');
    await page.locator('[data-testid="job-row"]').first().waitFor();
    const attempts = await page.locator('[data-testid="job-attempts"]').first().textContent();
    assert.match(attempts.trim(), /^\d+\/\d+$/);

    assert.deepEqual(unexpected(problems), [], 'no errors in the browser console');
}));
