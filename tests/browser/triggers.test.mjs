// Trigger rules in a real browser: a marketer adds an event rule (a purchase of at least
// 100) through the form, with its condition as a row; a count of fewer than two events
// and a window that is no duration are refused under their own boxes and add nothing;
// an abandoned-cart rule is added as "not followed by". A purchase of 150 tracked for a
// contact fires the first rule, which its page shows with the contact; it is paused and
// resumed, renamed, and the second rule deleted. Another workspace finds no such rule.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 node --test tests/browser/triggers.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, NEEDS_SERVER, PASSWORD, inBrowser, ok, shot, signUp, stamp, unexpected,
} from './support.mjs';

const text = async (locator) => (await locator.textContent()).trim();

test('a marketer writes trigger rules and sees one fire for a tracked purchase', {
  skip: NEEDS_SERVER,
  timeout: 180_000,
}, () => inBrowser('triggers', async (page, _context, problems) => {
  const id = stamp();
  const email = `tara-${id}@example.com`;
  const workspace = await signUp(page, { name: 'Tara Trigger', email, workspace: `Triggers ${id}` });
  const session = await ok('mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }',
    { variables: { i: { email, password: PASSWORD } } });
  const as = { bearer: session.logIn.accessToken, workspace };
  const buyer = `pat-${id}@example.com`;
  await ok('mutation($i: ContactInput!) { createContact(input: $i) { id } }',
    { ...as, variables: { i: { email: buyer, firstName: 'Pat', lastName: 'Buyer' } } });

  await page.click('[data-testid="nav-triggers"]');
  await page.waitForURL(`${BASE}/app/triggers`);
  assert.equal(await text(page.locator('[data-testid="page-title"]')), 'Trigger rules');
  await page.locator('[data-testid="triggers-empty"]').waitFor();
  await page.waitForSelector('[data-testid="trigger-submit"]:not([disabled])');

  // An event rule: a purchase with a total of at least 100, the condition as a row.
  await page.fill('[data-testid="trigger-name"]', 'Big purchase');
  assert.equal(await page.inputValue('[data-testid="trigger-kind"]'), 'EVENT');
  await page.fill('[data-testid="trigger-event"]', 'purchase');
  await page.click('[data-testid="condition-add"]');
  await page.fill('[data-testid="condition-property"]', 'total');
  await page.selectOption('[data-testid="condition-op"]', 'gte');
  await page.fill('[data-testid="condition-value"]', '100');
  await page.click('[data-testid="trigger-json-toggle"]');
  assert.deepEqual(JSON.parse(await page.locator('[data-testid="trigger-json"]').textContent()),
    { event: 'purchase', where: [{ property: 'total', op: 'gte', value: 100 }] });
  await page.click('[data-testid="trigger-submit"]');

  await page.waitForURL(/\/app\/triggers\/[^/]+$/);
  const ruleUrl = page.url();
  await page.locator('[data-testid="page-title"]', { hasText: 'Big purchase' }).waitFor();
  assert.equal(await text(page.locator('[data-testid="trigger-kind-label"]')), 'Event');
  assert.equal(await text(page.locator('[data-testid="trigger-summary"]')), 'purchase where total ≥ 100');
  assert.equal(await page.locator('[data-testid="trigger-status"]').getAttribute('data-status'), 'ACTIVE');
  assert.match(await page.locator('[data-testid="trigger-definition"]').textContent(), /"gte"/);
  await page.locator('[data-testid="firings-empty"]').waitFor();

  // The list shows it; a count of one event is refused under its box and adds nothing.
  await page.click('[data-testid="nav-triggers"]');
  await page.waitForURL(`${BASE}/app/triggers`);
  const row = page.locator('[data-testid="trigger-row"][data-name="Big purchase"]');
  await row.waitFor();
  assert.equal(await text(row.locator('[data-testid="trigger-kind-label"]')), 'Event');
  assert.equal(await text(row.locator('[data-testid="trigger-summary"]')), 'purchase where total ≥ 100');
  assert.equal(await text(row.locator('[data-testid="trigger-status"]')), 'Active');
  await page.waitForSelector('[data-testid="trigger-submit"]:not([disabled])');
  await page.fill('[data-testid="trigger-name"]', 'Busy browsing');
  await page.selectOption('[data-testid="trigger-kind"]', 'COUNT');
  await page.fill('[data-testid="trigger-event"]', 'page_view');
  await page.fill('[data-testid="count-at-least"]', '1');
  await page.fill('[data-testid="trigger-within"]', 'PT10M');
  await page.click('[data-testid="trigger-submit"]');
  await page.locator('[data-testid="error-definition.count.atLeast"]', { hasText: /2 to 10000/ }).waitFor();
  assert.equal(await page.locator('[data-testid="form-error"]').count(), 0);
  assert.equal(page.url(), `${BASE}/app/triggers`);
  await shot(page, '98-triggers-bad-count');
  assert.equal(await page.locator('[data-testid="trigger-row"]').count(), 1, 'nothing was added');

  // An abandoned cart: a window that is no duration is named first, then it is added.
  await page.fill('[data-testid="trigger-name"]', 'Abandoned cart');
  await page.selectOption('[data-testid="trigger-kind"]', 'SEQUENCE');
  await page.fill('[data-testid="sequence-first"]', 'add_to_cart');
  await page.fill('[data-testid="sequence-then"]', 'purchase');
  await page.fill('[data-testid="trigger-within"]', 'an hour');
  await page.click('[data-testid="trigger-submit"]');
  await page.locator('[data-testid="error-definition.sequence.within"]').waitFor();
  assert.equal(await page.locator('[data-testid="error-definition.count.atLeast"]').count(), 0);
  await page.fill('[data-testid="trigger-within"]', 'PT1H');
  await page.click('[data-testid="trigger-submit"]');
  await page.waitForURL((url) => /\/app\/triggers\/[^/]+$/.test(url.pathname) && url.href !== ruleUrl);
  const cartUrl = page.url();
  await page.locator('[data-testid="page-title"]', { hasText: 'Abandoned cart' }).waitFor();
  assert.equal(await text(page.locator('[data-testid="trigger-kind-label"]')), 'Not followed by');
  assert.equal(await text(page.locator('[data-testid="trigger-summary"]')),
    'add_to_cart not followed by purchase within 1 h');

  // Purchases tracked for the contact: 150 fires the first rule, 40 does not.
  const { key } = (await ok('mutation { rotateTrackingKey { key } }', as)).rotateTrackingKey;
  const tracked = await fetch(`${BASE}/t/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key, events: [
      { type: 'purchase', email: buyer, properties: { total: 150 } },
      { type: 'purchase', email: buyer, properties: { total: 40 } },
    ] }),
  });
  assert.ok(tracked.ok, `tracked: ${tracked.status} ${await tracked.text()}`);

  await page.goto(ruleUrl);
  await page.waitForSelector('body[data-hydrated="true"]');
  const firing = page.locator('[data-testid="firing-row"]');
  const deadline = Date.now() + 20_000;
  for (;;) {
    await page.locator('[data-testid="firings-table"], [data-testid="firings-empty"]').first().waitFor();
    if (await firing.count() > 0) break;
    assert.ok(Date.now() < deadline, 'the rule never fired');
    await page.waitForTimeout(500);
    await page.click('[data-testid="firings-refresh"]');
  }
  assert.equal(await firing.count(), 1);
  const contact = firing.locator('[data-testid="firing-contact"]');
  assert.equal(await text(contact), buyer);
  assert.match(await contact.getAttribute('href'), /^\/app\/contacts\/[^/]+$/);
  assert.equal(await text(firing.locator('[data-testid="firing-events"]')), '1');
  await page.locator('[data-testid="trigger-firing-count"]', { hasText: '1' }).waitFor();
  await shot(page, '99-trigger-fired');

  // Paused and resumed.
  await page.click('[data-testid="trigger-pause"]');
  await page.locator('[data-testid="trigger-status"][data-status="PAUSED"]').waitFor();
  await page.click('[data-testid="trigger-resume"]');
  await page.locator('[data-testid="trigger-status"][data-status="ACTIVE"]').waitFor();
  await page.locator('[data-testid="trigger-pause"]').waitFor();

  // Renamed with the same form, its definition kept.
  await page.click('[data-testid="trigger-edit-toggle"]');
  const edit = page.locator('[data-testid="trigger-edit-form"]');
  assert.equal(await edit.locator('[data-testid="trigger-event"]').inputValue(), 'purchase');
  assert.equal(await edit.locator('[data-testid="condition-value"]').inputValue(), '100');
  await edit.locator('[data-testid="trigger-name"]').fill('Big purchases');
  await edit.locator('[data-testid="trigger-save"]').click();
  await page.locator('[data-testid="page-title"]', { hasText: 'Big purchases' }).waitFor();
  assert.equal(await page.locator('[data-testid="trigger-edit-form"]').count(), 0);
  assert.equal(await text(page.locator('[data-testid="trigger-summary"]')), 'purchase where total ≥ 100');

  // The abandoned-cart rule is deleted once confirmed.
  await page.goto(cartUrl);
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.click('[data-testid="trigger-delete"]');
  await page.click('[data-testid="trigger-delete-confirm"]');
  await page.waitForURL(`${BASE}/app/triggers`);
  await page.locator('[data-testid="trigger-row"][data-name="Big purchases"]').waitFor();
  assert.equal(await page.locator('[data-testid="trigger-row"]').count(), 1);
  assert.deepEqual(unexpected(problems), []);

  // Another workspace finds no such rule.
  await inBrowser('triggers-stranger', async (stranger) => {
    await signUp(stranger, { name: 'Sid Stranger', email: `sid-${id}@example.com`, workspace: `Other ${id}` });
    await stranger.goto(ruleUrl);
    await stranger.waitForSelector('body[data-hydrated="true"]');
    await stranger.locator('[data-testid="load-error"]', { hasText: /not found/i }).waitFor();
    assert.equal(await text(stranger.locator('[data-testid="page-title"]')), 'Not found');
  });
}));
