// A marketer keeps their contacts in a real browser: defines fields, adds a contact
// (a bad phone refused next to its box), fills in typed fields, records consent,
// finds them by search, merges a duplicate into them and finally erases them.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 node --test tests/browser/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, NEEDS_SERVER, inBrowser, shot, signUp, stamp, unexpected } from './support.mjs';

/** Adds a field on the contact fields page. */
async function addField(page, { label, key, kind, options, currency }) {
  await page.fill('[data-testid="contact-field-label"]', label);
  await page.fill('[data-testid="contact-field-key"]', key);
  await page.selectOption('[data-testid="contact-field-kind"]', kind);
  if (options) await page.fill('[data-testid="contact-field-options"]', options);
  if (currency) await page.fill('[data-testid="contact-field-currency"]', currency);
  await page.click('[data-testid="contact-field-submit"]');
  await page.locator('[data-testid="contact-field-row"]', { hasText: key }).waitFor();
}

test('a marketer defines fields, adds, edits, finds, merges and erases contacts', {
  skip: NEEDS_SERVER,
  timeout: 180_000,
}, () => inBrowser('contacts', async (page, _context, problems) => {
  const id = stamp();
  await signUp(page, { name: 'Mia Marketer', email: `mia-${id}@example.com`, workspace: `Shop ${id}` });

  // The tracking page issues the publishable key and shows the snippet to paste.
  await page.click('[data-testid="nav-tracking"]');
  await page.locator('[data-testid="tracking-none"]').waitFor();
  await page.click('[data-testid="tracking-rotate"]');
  const key = (await page.locator('[data-testid="tracking-key"]').textContent()).trim();
  assert.match(key, /^prly_pk_/);
  const snippet = await page.locator('[data-testid="tracking-snippet"]').textContent();
  assert.ok(snippet.includes(`${BASE}/t/snippet.js`) && snippet.includes(key), snippet);

  await page.click('[data-testid="nav-contacts"]');
  await page.waitForURL(`${BASE}/app/contacts`);
  await page.locator('[data-testid="contacts-empty"]').waitFor();

  // Fields: a choice and an amount of money.
  await page.click('[data-testid="contact-fields-link"]');
  await page.waitForURL(`${BASE}/app/contact-fields`);
  await addField(page, { label: 'Loyalty tier', key: 'tier', kind: 'ENUM', options: 'Gold, Silver' });
  await addField(page, { label: 'Lifetime spend', key: 'spend', kind: 'MONEY', currency: 'eur' });
  // A key the server refuses is shown by its box.
  await page.fill('[data-testid="contact-field-label"]', 'Email again');
  await page.fill('[data-testid="contact-field-key"]', 'email');
  await page.selectOption('[data-testid="contact-field-kind"]', 'STRING');
  await page.click('[data-testid="contact-field-submit"]');
  await page.locator('[data-testid="error-key"]').waitFor();
  assert.equal(await page.locator('[data-testid="contact-field-row"]').count(), 2);

  // A contact: a phone without its country code is refused next to the box.
  await page.click('[data-testid="nav-contacts"]');
  await page.waitForURL(`${BASE}/app/contacts`);
  await page.fill('[data-testid="contact-email"]', `Ann.${id}@Example.com`);
  await page.fill('[data-testid="contact-phone"]', '020 7946 0000');
  await page.click('[data-testid="contact-submit"]');
  await page.locator('[data-testid="error-phone"]').waitFor();
  await page.fill('[data-testid="contact-phone"]', '+44 20 7946 0000');
  await page.fill('[data-testid="contact-first-name"]', 'Ann');
  await page.click('[data-testid="contact-submit"]');
  await page.waitForURL(/\/app\/contacts\/[^/]+$/);
  const contactUrl = page.url();
  await page.locator('[data-testid="page-title"]', { hasText: 'Ann' }).waitFor();
  assert.equal(await page.locator('[data-testid="profile-email"]').inputValue(), `ann.${id}@example.com`);
  assert.equal(await page.locator('[data-testid="profile-phone"]').inputValue(), '+442079460000');

  // Typed fields: a wrong amount is refused by its box; a right one is kept.
  await page.selectOption('[data-testid="attr-tier"]', 'Gold');
  await page.fill('[data-testid="attr-spend"]', '12.345');
  await page.click('[data-testid="fields-submit"]');
  await page.locator('[data-testid="error-attr-spend"]').waitFor();
  await page.fill('[data-testid="attr-spend"]', '1250.5');
  await page.click('[data-testid="fields-submit"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="attr-spend"]')?.value === '1250.50');
  assert.equal(await page.locator('[data-testid="attr-tier"]').inputValue(), 'Gold');

  // Consent, then the history shows the change.
  await page.selectOption('[data-testid="consent-channel"]', 'SMS');
  await page.selectOption('[data-testid="consent-choice"]', 'DENIED');
  await page.fill('[data-testid="consent-source"]', 'phone call');
  await page.click('[data-testid="consent-submit"]');
  const sms = page.locator('[data-testid="consent-row"][data-channel="SMS"] [data-testid="consent-status"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="consent-row"][data-channel="SMS"] [data-testid="consent-status"]')?.textContent === 'Denied');
  assert.equal(await sms.textContent(), 'Denied');
  await page.locator('[data-testid="event-kind"]', { hasText: 'Consent changed' }).waitFor();
  await shot(page, '40-contact');

  // A duplicate under another email, found by search and merged into Ann.
  await page.click('[data-testid="nav-contacts"]');
  await page.fill('[data-testid="contact-email"]', `ann.work.${id}@example.com`);
  await page.fill('[data-testid="contact-last-name"]', 'Lee');
  await page.click('[data-testid="contact-submit"]');
  await page.waitForURL(/\/app\/contacts\/[^/]+$/);
  await page.click('[data-testid="nav-contacts"]');
  await page.locator('[data-testid="contact-row"]').nth(1).waitFor();
  await page.fill('[data-testid="contact-search"]', 'ann.work');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="contact-row"]').length === 1);
  await page.goto(contactUrl);
  await page.locator('[data-testid="merge-email"]').waitFor();
  await page.waitForSelector('[data-testid="merge-submit"]:not([disabled])');
  await page.fill('[data-testid="merge-email"]', `ann.work.${id}@example.com`);
  await page.click('[data-testid="merge-submit"]');
  await page.locator('[data-testid="page-title"]', { hasText: 'Ann Lee' }).waitFor();
  await page.locator('[data-testid="event-kind"]', { hasText: 'Merged with a duplicate' }).waitFor();
  await page.click('[data-testid="nav-contacts"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="contact-row"]').length === 1);

  // A privacy request: the export holds the merged history; then erased, gone from the list.
  await page.click('[data-testid="contact-link"]');
  await page.click('[data-testid="export-contact"]');
  const exported = JSON.parse(await page.locator('[data-testid="export-json"]').textContent());
  assert.equal(exported.email, `ann.${id}@example.com`);
  assert.equal(exported.mergedContactIds.length, 1);
  assert.ok(exported.events.some((e) => e.type === 'consent_changed'));
  await page.click('[data-testid="erase-contact"]');
  await page.click('[data-testid="erase-confirm"]');
  await page.waitForURL(`${BASE}/app/contacts`);
  await page.locator('[data-testid="contacts-empty"]').waitFor();
  assert.deepEqual(unexpected(problems), []);
}));
