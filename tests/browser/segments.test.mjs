// A marketer builds a segment in a real browser: nested groups of attribute, consent
// and event conditions, the count following every change, a wrong value named by the
// server, saved, listed with its count, opened again as it was saved, and exported.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 node --test tests/browser/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, NEEDS_SERVER, graphql, inBrowser, signUp, stamp, unexpected } from './support.mjs';

test('a marketer builds, saves, reopens and exports a segment', {
  skip: NEEDS_SERVER,
  timeout: 180_000,
}, () => inBrowser('segments', async (page, context, problems) => {
  const id = stamp();
  const workspace = await signUp(page, { name: 'Sam Segmenter', email: `sam-${id}@example.com`, workspace: `Shop ${id}` });

  // Contacts to segment, made through the API with the session's own token.
  const cookies = await context.cookies(BASE);
  const bearer = cookies.find((c) => c.name === 'parley_at').value;
  const add = 'mutation($i: ContactInput!) { createContact(input: $i) { id } }';
  for (const [name, visits, consent] of [['ann', 7, 'GRANTED'], ['bob', 2, 'GRANTED'], ['cy', 9, 'DENIED'], ['dee', 12, null]]) {
    const input = { email: `${name}-${id}@example.com`, attributes: { visits } };
    if (consent) input.consents = [{ channel: 'EMAIL', status: consent }];
    const r = await graphql(add, { bearer, workspace, variables: { i: input } });
    assert.ok(!r.errors, JSON.stringify(r.errors));
  }

  await page.click('[data-testid="nav-segments"]');
  await page.waitForURL(`${BASE}/app/segments`);
  await page.click('[data-testid="segment-new"]');
  await page.waitForURL(`${BASE}/app/segments/new`);
  const count = page.locator('[data-testid="segment-count"]');

  // visits at least 5 …
  await page.fill('[data-testid="segment-name"]', 'Regulars who said yes');
  await page.click('[data-testid="rule-add-attribute"]');
  await count.filter({ hasText: /^4$/ }).waitFor();
  const part = page.locator('[data-testid="rule-part"]').first();
  await part.locator('[data-testid="rule-attr-name"]').selectOption('visits');
  await part.locator('[data-testid="rule-op"]').selectOption('gte');
  await part.locator('[data-testid="rule-value"]').fill('many');
  await part.locator('[data-testid="rule-value"]').press('Tab');
  // … a value the field's type refuses is named by the server …
  await page.locator('[data-testid="form-error"]', { hasText: 'number' }).waitFor();
  await part.locator('[data-testid="rule-value"]').fill('5');
  await part.locator('[data-testid="rule-value"]').press('Tab');
  await count.filter({ hasText: /^3$/ }).waitFor();
  // … and, in a nested group, not (denied email consent).
  await page.click('[data-testid="rule-add-group"]');
  const inner = page.locator('[data-testid="rule-group"]').nth(1);
  await inner.locator('[data-testid="rule-add-consent"]').click();
  await count.filter({ hasText: /^1$/ }).waitFor();
  await inner.locator('[data-testid="rule-not"]').check();
  await count.filter({ hasText: /^2$/ }).waitFor();
  const sample = await page.locator('[data-testid="segment-sample"]').textContent();
  assert.ok(sample.includes(`cy-${id}@example.com`) && sample.includes(`dee-${id}@example.com`), sample);

  await page.click('[data-testid="segment-save"]');
  await page.waitForURL(`${BASE}/app/segments`);
  const row = page.locator('[data-testid="segment-row"]', { hasText: 'Regulars who said yes' });
  await row.waitFor();
  assert.equal((await row.locator('[data-testid="segment-row-count"]').textContent()).trim(), '2');

  // Opened again, the builder shows the rule as saved.
  await row.locator('[data-testid="segment-link"]').click();
  await page.waitForURL(/\/app\/segments\/[^/]+$/);
  await count.filter({ hasText: /^2$/ }).waitFor();
  assert.equal(await page.locator('[data-testid="rule-group"]').count(), 2);
  assert.equal(await page.locator('[data-testid="rule-value"]').first().inputValue(), '5');
  assert.ok(await page.locator('[data-testid="rule-not"]').nth(1).isChecked());

  // Its contacts to a file.
  await page.click('[data-testid="segment-export"]');
  await page.locator('[data-testid="segment-exported"]').waitFor();
  await page.click('[data-testid="segment-exported"] a');
  await page.waitForURL(`${BASE}/app/imports`);
  const download = page.locator('[data-testid="export-download"]').first();
  await download.waitFor({ timeout: 30_000 });
  const text = await (await page.request.get(await download.getAttribute('href'))).text();
  const emails = text.trim().split(/\r?\n/).slice(1).map((l) => l.split(',')[1]).sort();
  assert.deepEqual(emails, [`cy-${id}@example.com`, `dee-${id}@example.com`]);
  assert.deepEqual(unexpected(problems), []);
}));
