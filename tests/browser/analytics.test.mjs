// A marketer reads their site's traffic in a real browser: tracked page views, carts
// and purchases sent to the event endpoint show up as totals, a chart, top pages and
// sources, a funnel with its conversion, and the share of carts left behind.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 node --test tests/browser/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, NEEDS_SERVER, graphql, inBrowser, signUp, stamp, unexpected } from './support.mjs';

test('a marketer reads traffic, a funnel and cart abandonment', {
  skip: NEEDS_SERVER,
  timeout: 120_000,
}, () => inBrowser('analytics', async (page, context, problems) => {
  const id = stamp();
  const workspace = await signUp(page, { name: 'Ada Analyst', email: `ada-${id}@example.com`, workspace: `Shop ${id}` });
  const bearer = (await context.cookies(BASE)).find((c) => c.name === 'parley_at').value;
  const key = (await graphql('mutation { rotateTrackingKey { key } }', { bearer, workspace })).data.rotateTrackingKey.key;
  const ago = (mins) => new Date(Date.now() - mins * 60_000).toISOString();
  const events = [
    { type: 'page_view', anonymousId: 'v1', occurredAt: ago(300), properties: { path: '/', utm_source: 'newsletter' } },
    { type: 'page_view', anonymousId: 'v1', occurredAt: ago(295), properties: { path: '/shoes' } },
    { type: 'add_to_cart', anonymousId: 'v1', occurredAt: ago(294) },
    { type: 'purchase', anonymousId: 'v1', occurredAt: ago(290) },
    { type: 'page_view', anonymousId: 'v2', occurredAt: ago(100), properties: { path: '/shoes', referrer: 'https://www.google.com/' } },
    { type: 'add_to_cart', anonymousId: 'v2', occurredAt: ago(99) },
  ];
  const sent = await fetch(`${BASE}/t/events`, { method: 'POST', body: JSON.stringify({ key, events }) });
  assert.equal(sent.status, 200);

  await page.click('[data-testid="nav-analytics"]');
  await page.waitForURL(`${BASE}/app/analytics`);
  await page.locator('[data-testid="kpi-page-views"]', { hasText: '3' }).waitFor();
  assert.equal((await page.locator('[data-testid="kpi-visitors"]').textContent()).trim(), '2');
  assert.equal((await page.locator('[data-testid="kpi-sessions"]').textContent()).trim(), '2');
  assert.equal((await page.locator('[data-testid="kpi-abandonment"]').textContent()).trim(), '50%');
  await page.locator('[data-testid="chart-days"] rect').first().waitFor();
  assert.ok((await page.locator('[data-testid="top-pages"]').textContent()).includes('/shoes'));
  const sources = await page.locator('[data-testid="sources"]').textContent();
  assert.ok(sources.includes('google.com') && sources.includes('newsletter'), sources);

  const steps = page.locator('[data-testid="funnel-step"]');
  assert.equal(await steps.count(), 3);
  assert.equal((await steps.nth(2).locator('[data-testid="funnel-visitors"]').textContent()).trim(), '1');
  assert.equal((await steps.nth(2).locator('[data-testid="funnel-conversion"]').textContent()).trim(), '50%');
  // Other steps, typed in.
  await page.fill('[data-testid="funnel-steps"]', 'add_to_cart, purchase');
  await page.locator('[data-testid="funnel-steps"]').press('Enter');
  await page.locator('[data-testid="funnel-step"]').nth(2).waitFor({ state: 'detached' });
  assert.equal((await page.locator('[data-testid="funnel-conversion"]').nth(1).textContent()).trim(), '50%');
  assert.deepEqual(unexpected(problems), []);
}));
