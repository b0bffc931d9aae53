// A marketer finds out who their best customers are, what they buy together and who
// is likely to buy next, in a real browser: purchases sent to the event endpoint are
// scored into RFM groups and a grid with revenue and lifetime value, products bought by
// the same customers are paired, and a propensity model is defined (a bad field key is
// refused next to its box) and trained, ending honestly in "not enough history" with
// five customers, while eighty more contacts make a next-day model that is measured on
// contacts held out and explained. The scores are set to refresh every week on their
// own. Another workspace sees none of it.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 node --test tests/browser/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, NEEDS_SERVER, graphql, inBrowser, signUp, stamp, unexpected } from './support.mjs';

/** Runs and trainings are background jobs of the server's own worker. */
const JOB = { timeout: 60_000 };

const text = async (locator) => (await locator.textContent()).trim();

test('a marketer scores customers, reads what they buy together and trains a model', {
  skip: NEEDS_SERVER,
  timeout: 240_000,
}, () => inBrowser('insights', async (page, context, problems) => {
  const id = stamp();
  const workspace = await signUp(page, { name: 'Ines Insight', email: `ines-${id}@example.com`, workspace: `Shoe Shop ${id}` });
  const bearer = (await context.cookies(BASE)).find((c) => c.name === 'parley_at').value;
  const key = (await graphql('mutation { rotateTrackingKey { key } }', { bearer, workspace })).data.rotateTrackingKey.key;

  // Five customers: Ana bought most often and most recently, Eli once, longest ago.
  // Shoes and socks go together for three of them, a hat with both for two.
  const ago = (hours) => new Date(Date.now() - hours * 3_600_000).toISOString();
  const buy = (email, hours, amount, items) =>
    ({ type: 'purchase', email, occurredAt: ago(hours), properties: { amount, currency: 'USD', items } });
  const [ana, ben, cai, dee, eli] = ['ana', 'ben', 'cai', 'dee', 'eli'].map((n) => `${n}-${id}@example.com`);
  const events = [
    buy(ana, 240, 5000, [{ sku: 'shoes' }, { sku: 'socks' }]),
    buy(ana, 170, 2000, ['hat']),
    buy(ana, 100, 1000, ['socks']),
    buy(ana, 24, 3000, ['shoes']),
    buy(ben, 220, 4000, ['shoes', 'socks']),
    buy(ben, 150, 1500, [{ sku: 'hat' }]),
    buy(ben, 48, 2500, ['belt']),
    buy(cai, 200, 6000, ['shoes', 'socks']),
    buy(cai, 72, 1000, ['scarf']),
    buy(dee, 96, 2000, ['hat']),
    buy(eli, 120, 3000, ['belt']),
  ];
  const sent = await fetch(`${BASE}/t/events`, { method: 'POST', body: JSON.stringify({ key, events }) });
  assert.equal(sent.status, 200, await sent.text());

  await page.click('[data-testid="nav-insights"]');
  await page.waitForURL(`${BASE}/app/insights`);
  await page.locator('[data-testid="scores-empty"]').waitFor();
  assert.match(await text(page.locator('[data-testid="scores-empty"]')), /No scores yet: record purchase events, then refresh/);
  await page.locator('[data-testid="pairs-empty"]').waitFor();

  // Refresh: the page follows the run until it is done, then shows what it found.
  await page.click('[data-testid="scores-refresh"]:not([disabled])');
  await page.locator('[data-testid="kpi-customers"]').waitFor(JOB);
  assert.equal(await text(page.locator('[data-testid="kpi-customers"]')), '5');
  assert.equal(await text(page.locator('[data-testid="kpi-revenue"]')), '310.00 USD');
  assert.equal(await text(page.locator('[data-testid="kpi-aov"]')), '28.18 USD', '31,000 cents over 11 orders');
  assert.match(await text(page.locator('[data-testid="kpi-ltv"]')), /^\d[\d,]*\.\d\d USD$/);
  assert.equal(await text(page.locator('[data-testid="kpi-churn"]')), '50%', 'too few old customers: one half');
  assert.match(await text(page.locator('[data-testid="scores-when"]')), /11 purchases of 5 products/);
  await page.locator('[data-testid="scores-refresh"]:not([disabled])').waitFor();
  assert.equal(await page.locator('[data-testid="score-run-progress"]').count(), 0, 'no run in progress any more');

  // From now on every week, on their own: the next run is a week away, and the choice stays.
  assert.equal(await page.locator('[data-testid="scores-schedule"]').inputValue(), '');
  assert.equal(await page.locator('[data-testid="scores-next-run"]').count(), 0);
  await page.selectOption('[data-testid="scores-schedule"]:not([disabled])', 'WEEKLY');
  await page.locator('[data-testid="scores-next-run"]').waitFor();
  assert.match(await text(page.locator('[data-testid="scores-next-run"]')), /^Next run /);
  const saved = (await graphql('{ scoreSchedule { every nextRunAt } }', { bearer, workspace })).data.scoreSchedule;
  assert.equal(saved.every, 'WEEKLY');
  const days = (Date.parse(saved.nextRunAt) - Date.now()) / 86_400_000;
  assert.ok(days > 6.9 && days <= 7, `a week away: ${days}`);
  await page.reload();
  await page.locator('[data-testid="kpi-customers"]').waitFor();
  await page.locator('[data-testid="scores-next-run"]').waitFor();
  assert.equal(await page.locator('[data-testid="scores-schedule"]').inputValue(), 'WEEKLY');

  const group = (name) => page.locator(`[data-testid="rfm-group"][data-group="${name}"]`);
  assert.equal(await page.locator('[data-testid="rfm-group"]').count(), 8);
  for (const [name, customers, share, revenue] of [
    ['Champions', '2', '40%', '190.00 USD'],
    ['Loyal', '1', '20%', '70.00 USD'],
    ['Hibernating', '2', '40%', '50.00 USD'],
    ['New', '0', '0%', '0.00 USD'],
  ]) {
    assert.equal(await text(group(name).locator('[data-testid="rfm-group-customers"]')), customers, name);
    assert.equal(await text(group(name).locator('[data-testid="rfm-group-share"]')), share, name);
    assert.equal(await text(group(name).locator('[data-testid="rfm-group-revenue"]')), revenue, name);
  }

  // The grid: recency by frequency, one customer on each of five cells, shaded.
  const cells = page.locator('[data-testid="rfm-cell"]');
  assert.equal(await cells.count(), 25);
  const cell = (r, f) => page.locator(`[data-testid="rfm-cell"][data-recency="${r}"][data-frequency="${f}"]`);
  for (const [r, f] of [[5, 5], [4, 4], [3, 3], [2, 1], [1, 1]]) {
    assert.equal(await text(cell(r, f)), '1', `cell ${r}×${f}`);
    assert.match(await cell(r, f).getAttribute('class'), /heat-4/);
  }
  assert.equal(await text(cell(1, 5)), '0');
  assert.match(await cell(1, 5).getAttribute('class'), /heat-0/);
  assert.match(await cell(5, 5).getAttribute('title'), /Champions: 1 customer/);

  // Bought together: shoes and socks by three customers, each with a hat by two.
  const pairs = page.locator('[data-testid="pair-row"]');
  await pairs.first().waitFor();
  assert.equal(await pairs.count(), 3);
  const top = pairs.first();
  assert.deepEqual(
    [await text(top.locator('[data-testid="pair-product"]')), await text(top.locator('[data-testid="pair-other"]'))].sort(),
    ['shoes', 'socks'],
  );
  assert.equal(await text(top.locator('[data-testid="pair-together"]')), '3');
  assert.equal(await text(top.locator('[data-testid="pair-confidence"]')), '100%');
  assert.equal(await text(top.locator('[data-testid="pair-lift"]')), '×1.67', 'socks: 3 of 5 customers');

  await page.fill('[data-testid="also-bought-product"]', 'shoes');
  await page.click('[data-testid="also-bought-submit"]');
  const also = page.locator('[data-testid="also-bought-row"]');
  await also.first().waitFor();
  assert.equal(await also.count(), 2);
  assert.equal(await text(also.nth(0).locator('[data-testid="also-bought-other"]')), 'socks');
  assert.equal(await text(also.nth(0).locator('[data-testid="also-bought-confidence"]')), '100%');
  assert.equal(await text(also.nth(1).locator('[data-testid="also-bought-other"]')), 'hat');
  assert.equal(await text(also.nth(1).locator('[data-testid="also-bought-together"]')), '2');
  assert.equal(await text(also.nth(1).locator('[data-testid="also-bought-confidence"]')), '67%');
  await page.fill('[data-testid="also-bought-product"]', 'scarf');
  await page.click('[data-testid="also-bought-submit"]');
  await page.locator('[data-testid="also-bought-empty"]', { hasText: 'Nothing yet' }).waitFor();
  assert.equal(await also.count(), 0);

  // A model: a field key that is not one is refused next to its box.
  await page.locator('[data-testid="models-empty"]').waitFor();
  assert.equal(await page.inputValue('[data-testid="model-new-target"]'), 'purchase');
  assert.equal(await page.inputValue('[data-testid="model-new-horizon"]'), '30');
  assert.equal(await page.inputValue('[data-testid="model-new-attribute"]'), 'propensity_purchase');
  await page.fill('[data-testid="model-new-name"]', 'Likely buyers');
  await page.fill('[data-testid="model-new-attribute"]', 'Bad Key');
  await page.click('[data-testid="model-new-submit"]');
  const attributeBox = page.locator('label.field', { has: page.locator('[data-testid="model-new-attribute"]') });
  await attributeBox.locator('[data-testid="error-attribute"]').waitFor();
  assert.match(await text(attributeBox.locator('[data-testid="error-attribute"]')), /lower-case letters/);
  assert.equal(await attributeBox.getAttribute('class'), 'field invalid');
  assert.equal(await page.locator('[data-testid="model-row"]').count(), 0);

  await page.fill('[data-testid="model-new-attribute"]', 'propensity_purchase');
  await page.click('[data-testid="model-new-submit"]');
  const model = (name) => page.locator('[data-testid="model-row"]', { hasText: name });
  const detail = async (row) => page.locator(`[data-testid="model-detail"][data-model-id="${await row.getAttribute('data-model-id')}"]`);
  const likely = model('Likely buyers');
  await likely.waitFor();
  assert.equal(await page.locator('[data-testid="error-attribute"]').count(), 0);
  assert.equal(await page.inputValue('[data-testid="model-new-name"]'), '', 'the form is ready for the next one');
  assert.equal(await text(likely.locator('[data-testid="model-target"]')), 'purchase');
  assert.equal(await text(likely.locator('[data-testid="model-horizon"]')), '30 days');
  assert.equal(await text(likely.locator('[data-testid="model-attribute"]')), 'propensity_purchase');
  assert.equal(await text(likely.locator('[data-testid="model-status"]')), 'Not trained yet');
  assert.equal(await text(likely.locator('[data-testid="model-trained-at"]')), 'never');

  // Training on five customers: the page follows it and says plainly why it cannot learn.
  await likely.locator('[data-testid="model-train"]').click();
  await likely.locator('[data-testid="model-status"]', { hasText: 'Failed' }).waitFor(JOB);
  const failure = (await detail(likely)).locator('[data-testid="model-error"]');
  assert.match(await text(failure), /not enough history to learn from/);
  assert.equal(await likely.locator('[data-testid="model-progress"]').count(), 0);
  assert.equal(await page.locator('[data-testid="model-weights"]').count(), 0, 'no weights without a trained model');
  assert.ok(await likely.locator('[data-testid="model-train"]').isEnabled(), 'it can be trained again');

  // With history to learn from (eighty more contacts; the half who visited twice then
  // bought within the last day), a next-day model is trained, measured and explained.
  const visit = (email, hours) => ({ type: 'page_view', email, occurredAt: ago(hours), properties: { path: '/shoes' } });
  const more = [];
  for (let i = 0; i < 40; i++) {
    const buyer = `buyer-${i}-${id}@example.com`;
    more.push(visit(buyer, 80), visit(buyer, 75), buy(buyer, 2, 1500, ['gloves']), visit(`looker-${i}-${id}@example.com`, 78));
  }
  for (let i = 0; i < more.length; i += 100) {
    const batch = await fetch(`${BASE}/t/events`, { method: 'POST', body: JSON.stringify({ key, events: more.slice(i, i + 100) }) });
    assert.equal(batch.status, 200, await batch.text());
  }
  await page.fill('[data-testid="model-new-name"]', 'Next-day buyers');
  await page.fill('[data-testid="model-new-horizon"]', '1');
  await page.fill('[data-testid="model-new-attribute"]', 'next_day_buyer');
  await page.click('[data-testid="model-new-submit"]');
  const nextDay = model('Next-day buyers');
  await nextDay.locator('[data-testid="model-train"]').click();
  await nextDay.locator('[data-testid="model-status"]', { hasText: 'Ready' }).waitFor(JOB);
  assert.match(await text(nextDay.locator('[data-testid="model-auc"]')), /^(0|1)\.\d\d$/);
  assert.equal(await text(nextDay.locator('[data-testid="model-quality"]')), 'strong', 'visits tell buyers apart');
  assert.equal(await text(nextDay.locator('[data-testid="model-positives"]')), '40 did it');
  const trainedOn = Number(await text(nextDay.locator('[data-testid="model-training"]')));
  const heldOut = Number(await text(nextDay.locator('[data-testid="model-holdout"]')));
  assert.equal(trainedOn + heldOut, 85, 'every contact, a fifth held out');
  assert.ok(heldOut > 0 && heldOut < trainedOn);
  assert.notEqual(await text(nextDay.locator('[data-testid="model-trained-at"]')), 'never');
  const drivers = (await detail(nextDay)).locator('[data-testid="model-weight"]');
  assert.equal(await drivers.count(), 5);
  assert.match(await text((await detail(nextDay)).locator('[data-testid="model-weights"]')), /What drives it:.*(page_view|any event) in \d+ days/);
  assert.equal(await text(nextDay.locator('[data-testid="model-train"]')), 'Train again');

  // Deleting asks first.
  await likely.locator('[data-testid="model-delete"]').click();
  await likely.locator('[data-testid="model-delete-cancel"]').click();
  assert.equal(await page.locator('[data-testid="model-row"]').count(), 2);
  await likely.locator('[data-testid="model-delete"]').click();
  await likely.locator('[data-testid="model-delete-confirm"]').click();
  await likely.waitFor({ state: 'detached' });
  assert.equal(await page.locator('[data-testid="model-row"]').count(), 1);
  assert.deepEqual(unexpected(problems), []);
}));

test("another workspace's insights show none of the first one's", {
  skip: NEEDS_SERVER,
  timeout: 120_000,
}, () => inBrowser('insights-other', async (page, context, problems) => {
  const id = stamp();
  await signUp(page, { name: 'Otto Other', email: `otto-${id}@example.com`, workspace: `Other Shop ${id}` });
  await page.click('[data-testid="nav-insights"]');
  await page.waitForURL(`${BASE}/app/insights`);
  await page.locator('[data-testid="scores-empty"]').waitFor();
  await page.locator('[data-testid="pairs-empty"]').waitFor();
  await page.locator('[data-testid="models-empty"]').waitFor();
  assert.equal(await page.locator('[data-testid="kpi-customers"]').count(), 0);
  assert.equal(await page.locator('[data-testid="scores-schedule"]').inputValue(), '');
  assert.equal(await page.locator('[data-testid="scores-next-run"]').count(), 0);
  assert.deepEqual(unexpected(problems), []);
}));
