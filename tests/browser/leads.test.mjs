// Leads in a real browser: the owner signs up and, on the setup page, sees a scoring
// model with rules that are no JSON refused under the rules box (and a rule the server
// refuses named by its path), then adds a round-robin routing rule with themselves as
// the rep and a 30-minute first touch. On the sales page they add a lead with the form;
// the background workers route it to them with a due time, which the page shows once
// it arrives (no reload). "Contacted" moves it on; its page shows the history
// (captured, assigned, the outcome); "Won" without an amount is refused under the
// revenue box, then recorded with 1200.00 EUR, which closes the lead.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 node --test tests/browser/leads.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, NEEDS_SERVER, inBrowser, shot, signUp, stamp, unexpected,
} from './support.mjs';

const text = async (locator) => (await locator.textContent()).trim();

test('an owner routes leads to themselves, works one and wins it', {
  skip: NEEDS_SERVER,
  timeout: 180_000,
}, () => inBrowser('leads', async (page, _context, problems) => {
  const id = stamp();
  const email = `olive-${id}@example.com`;
  await signUp(page, { name: 'Olive Owner', email, workspace: `Leads ${id}` });

  // The sales page, empty; its setup page from the link.
  await page.click('[data-testid="nav-leads"]');
  await page.waitForURL(`${BASE}/app/leads`);
  assert.equal(await text(page.locator('[data-testid="page-title"]')), 'Leads');
  await page.locator('[data-testid="leads-empty"]').waitFor();
  await page.locator('[data-testid="count-open"]', { hasText: '0' }).waitFor();
  await page.click('[data-testid="leads-setup-link"]');
  await page.waitForURL(`${BASE}/app/leads/setup`);
  await page.locator('[data-testid="models-empty"]').waitFor();

  // A scoring model whose rules are no JSON is refused under the rules box, and so is
  // one the server refuses, named by the rule at fault; nothing is added.
  await page.waitForSelector('[data-testid="model-submit"]:not([disabled])');
  await page.fill('[data-testid="model-name-input"]', 'Inbound');
  await page.fill('[data-testid="model-rules"]', '{"fit": [{"when": ');
  await page.click('[data-testid="model-submit"]');
  await page.locator('[data-testid="error-rules"]', { hasText: /^rules is not valid JSON/ }).waitFor();
  await page.fill('[data-testid="model-rules"]',
    '{"fit": [{"when": {"attribute": "plan", "op": "eq", "value": "pro"}, "points": 0}]}');
  await page.click('[data-testid="model-submit"]');
  await page.locator('[data-testid="error-rules"]', { hasText: /rules\.fit\[0\]\.points/ }).waitFor();
  assert.equal(await page.locator('[data-testid="form-error"]').count(), 0);
  await shot(page, '97-leads-bad-rules');
  assert.equal(await page.locator('[data-testid="model-row"]').count(), 0, 'no model was added');

  // A round-robin routing rule with the owner as its rep and a 30-minute first touch.
  await page.locator('[data-testid="rules-empty"]').waitFor();
  await page.waitForSelector('[data-testid="rule-submit"]:not([disabled])');
  await page.fill('[data-testid="rule-name"]', 'Everyone');
  assert.equal(await page.inputValue('[data-testid="rule-strategy"]'), 'ROUND_ROBIN');
  assert.equal(await page.locator('[data-testid="rule-territory"]').count(), 0, 'territories only for TERRITORY');
  await page.selectOption('[data-testid="rule-strategy"]', 'TERRITORY');
  await page.locator('[data-testid="rule-territory"]').waitFor();
  await page.selectOption('[data-testid="rule-strategy"]', 'ROUND_ROBIN');
  await page.locator('[data-testid="rule-territory"]').waitFor({ state: 'detached' });
  await page.check('[data-testid="rule-rep"][data-name="Olive Owner"]');
  await page.fill('[data-testid="rule-sla"]', '30');
  await page.click('[data-testid="rule-submit"]');
  const rule = page.locator('[data-testid="rule-row"][data-name="Everyone"]');
  await rule.waitFor();
  assert.equal(await text(rule.locator('[data-testid="rule-row-reps"]')), 'Olive Owner');
  assert.equal(await text(rule.locator('[data-testid="rule-row-sla"]')), '30 min');
  assert.equal(await rule.locator('[data-testid="rule-row-strategy"]').getAttribute('data-strategy'), 'ROUND_ROBIN');
  assert.equal(await page.inputValue('[data-testid="rule-name"]'), '', 'the form is ready for the next rule');

  // A lead added on the sales page is routed to the owner with a due time.
  await page.click('[data-testid="leads-link"]');
  await page.waitForURL(`${BASE}/app/leads`);
  await page.waitForSelector('[data-testid="lead-submit"]:not([disabled])');
  const lead = `lena-${id}@example.com`;
  await page.fill('[data-testid="lead-email"]', lead);
  await page.fill('[data-testid="lead-first-name"]', 'Lena');
  await page.fill('[data-testid="lead-last-name"]', 'Lead');
  await page.click('[data-testid="lead-submit"]');
  await page.locator('[data-testid="lead-added"]', { hasText: lead }).waitFor();
  assert.equal(await page.inputValue('[data-testid="lead-email"]'), '');
  const row = page.locator(`[data-testid="lead-row"][data-email="${lead}"]`);
  await row.waitFor();
  assert.equal(await text(row.locator('[data-testid="lead-name"]')), 'Lena Lead');
  await row.locator('[data-testid="lead-owner"]', { hasText: 'Olive Owner' }).waitFor();
  await row.locator('[data-testid="lead-due"]', { hasText: /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/ }).waitFor();
  assert.equal(await row.locator('[data-testid="lead-overdue"]').count(), 0);
  assert.equal(await row.locator('[data-testid="lead-stage"]').getAttribute('data-stage'), 'MQL');
  await page.locator('[data-testid="count-mine"]', { hasText: '1' }).waitFor();
  assert.equal(await text(page.locator('[data-testid="count-open"]')), '1');
  assert.equal(await text(page.locator('[data-testid="count-unassigned"]')), '0');
  await shot(page, '97-leads-routed');

  // My leads shows it too; Unassigned does not.
  await page.click('[data-testid="leads-filter-unassigned"]');
  await page.locator('[data-testid="leads-empty"]').waitFor();
  await page.click('[data-testid="leads-filter-mine"]');
  await row.waitFor();

  // Contacted, in one click.
  await row.locator('[data-testid="outcome-contacted"]').click();
  await row.locator('[data-testid="lead-stage"][data-stage="CONTACTED"]').waitFor();
  assert.equal(await row.locator('[data-testid="outcome-contacted"]').count(), 0);

  // The lead's page: where it stands and its history.
  await row.locator('[data-testid="lead-link"]').click();
  await page.waitForURL(/\/app\/leads\/[^/]+$/);
  await page.locator('[data-testid="page-title"]', { hasText: 'Lena Lead' }).waitFor();
  const facts = page.locator('[data-testid="lead-facts"]');
  await facts.locator('[data-testid="lead-owner"]', { hasText: 'Olive Owner' }).waitFor();
  assert.equal(await facts.locator('[data-testid="lead-stage"]').getAttribute('data-stage'), 'CONTACTED');
  assert.equal(await text(facts.locator('[data-testid="lead-rule"]')), 'Everyone');
  const history = page.locator('[data-testid="activity-row"]');
  for (const kind of ['CAPTURED', 'ASSIGNED', 'OUTCOME']) {
    await page.locator(`[data-testid="activity-row"][data-kind="${kind}"]`).first().waitFor();
  }
  const kinds = await history.evaluateAll((rows) => rows.map((r) => r.dataset.kind));
  assert.ok(kinds.indexOf('CAPTURED') < kinds.indexOf('ASSIGNED'), kinds.join());
  assert.ok(kinds.indexOf('ASSIGNED') < kinds.indexOf('OUTCOME'), kinds.join());
  assert.match(await text(page.locator('[data-testid="activity-row"][data-kind="ASSIGNED"] [data-testid="activity-detail"]').first()),
    /Olive Owner/);
  assert.equal(await text(page.locator('[data-testid="activity-row"][data-kind="OUTCOME"] [data-testid="activity-detail"]')),
    'CONTACTED');

  // Won without an amount is refused under the revenue box; with one it closes the lead.
  await facts.locator('[data-testid="outcome-won"]').click();
  const won = facts.locator('[data-testid="outcome-won-form"]');
  await won.waitFor();
  await won.locator('[data-testid="outcome-amount"]').fill('');
  await won.locator('[data-testid="outcome-confirm"]').click();
  await won.locator('[data-testid="error-revenue"]', { hasText: /required/ }).waitFor();
  assert.equal(await page.locator('[data-testid="lead-state"]').getAttribute('data-open'), 'true');
  await shot(page, '98-leads-won-refused');
  await won.locator('[data-testid="outcome-amount"]').fill('1200.00');
  await won.locator('[data-testid="outcome-currency"]').fill('EUR');
  await won.locator('[data-testid="outcome-confirm"]').click();
  await page.locator('[data-testid="lead-state"][data-open="false"]').waitFor();
  assert.equal(await text(facts.locator('[data-testid="lead-outcome"]')), 'Won: 1200.00 EUR');
  assert.equal(await facts.locator('[data-testid="lead-stage"]').getAttribute('data-stage'), 'WON');
  assert.equal(await page.locator('[data-testid="lead-outcomes"]').count(), 0, 'a closed lead takes no outcome');
  await page.locator('[data-testid="activity-row"][data-kind="OUTCOME"] [data-testid="activity-detail"]',
    { hasText: 'WON: 1200.00 EUR' }).waitFor();
  await shot(page, '99-leads-won');

  // The sales page lists it among the closed leads, with its revenue.
  await page.click('[data-testid="nav-leads"]');
  await page.waitForURL(`${BASE}/app/leads`);
  await page.locator('[data-testid="count-open"]', { hasText: '0' }).waitFor();
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.selectOption('[data-testid="leads-state"]', 'closed');
  await row.locator('[data-testid="lead-closed"]', { hasText: '1200.00 EUR' }).waitFor();
  assert.equal(await row.getAttribute('data-stage'), 'WON');

  assert.deepEqual(unexpected(problems), []);
}));
