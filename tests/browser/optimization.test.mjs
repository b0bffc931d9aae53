// Contact optimization in a real browser: a marketer uploads a file of proposed contacts
// and offers with a most of one offer per contact and two offers that exclude each
// other, lands on the run, follows it to the end and reads what it chose: one proposal,
// the two to a contact who refused email consent, the row naming an unknown offer by its
// line and column, the constraints as they ran, and the chosen proposals downloaded as
// CSV. The list shows the run; a most per contact of 0 is named under its field; another
// workspace finds no such run.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 node --test tests/browser/optimization.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BASE, NEEDS_SERVER, PASSWORD, inBrowser, ok, shot, signUp, stamp, unexpected,
} from './support.mjs';

const createOffer = (as, code, amount) => ok(
  'mutation($i: OfferInput!) { createOffer(input: $i) { id } }',
  { ...as, variables: { i: { code, name: `Offer ${code}`, channels: ['EMAIL'], value: { amount, currencyCode: 'EUR' } } } },
);

const createContact = (as, input) => ok(
  'mutation($i: ContactInput!) { createContact(input: $i) { id } }', { ...as, variables: { i: input } },
);

test('a marketer runs a contact optimization from a file and reads what it chose', {
  skip: NEEDS_SERVER,
  timeout: 180_000,
}, () => inBrowser('optimization', async (page, _context, problems) => {
  const id = stamp();
  const email = `olga-${id}@example.com`;
  const workspace = await signUp(page, { name: 'Olga Optimizer', email, workspace: `Optimizers ${id}` });
  const session = await ok('mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }',
    { variables: { i: { email, password: PASSWORD } } });
  const as = { bearer: session.logIn.accessToken, workspace };
  await createOffer(as, 'A', '10.00');
  await createOffer(as, 'B', '6.00');
  const ann = `ann-${id}@example.com`;
  const bob = `bob-${id}@example.com`;
  await createContact(as, { email: ann, firstName: 'Ann' });
  await createContact(as, { email: bob, firstName: 'Bob', consents: [{ channel: 'EMAIL', status: 'DENIED' }] });

  // The proposals, written to a file as a spreadsheet would save them; line 6 names an
  // offer the workspace does not have.
  const dir = await mkdtemp(path.join(tmpdir(), 'parley-optimization-'));
  const file = path.join(dir, 'proposals.csv');
  await writeFile(file, 'contact,offer,value,campaign\r\n'
    + `${ann},A,10,Spring\r\n`
    + `${ann},B,6,Spring\r\n`
    + `${bob},A,8,Spring\r\n`
    + `${bob},B,4,Autumn\r\n`
    + `${ann},NOPE,3,Spring\r\n`);

  try {
    await page.click('[data-testid="nav-optimization"]');
    await page.waitForURL(`${BASE}/app/optimization`);
    assert.equal(await page.locator('[data-testid="page-title"]').textContent(), 'Contact optimization');
    await page.locator('[data-testid="runs-empty"]').waitFor();
    await page.waitForSelector('[data-testid="run-submit"]:not([disabled])');
    await page.setInputFiles('[data-testid="run-file-input"]', file);
    await page.fill('[data-testid="run-name"]', 'Spring mailing');
    await page.fill('[data-testid="run-max-per-contact"]', '1');
    // A channel capacity row added and removed again leaves no limit.
    await page.click('[data-testid="capacity-add"]');
    assert.equal(await page.locator('[data-testid="capacity-row"]').count(), 1);
    await page.click('[data-testid="capacity-remove"]');
    assert.equal(await page.locator('[data-testid="capacity-row"]').count(), 0);
    await page.click('[data-testid="exclusion-add"]');
    await page.fill('[data-testid="exclusion-codes"]', 'A, B');
    await page.click('[data-testid="run-submit"]');

    // The run's own page follows it to the end.
    await page.waitForURL(/\/app\/optimization\/[^/]+$/);
    const runUrl = page.url();
    await page.locator('[data-testid="page-title"]', { hasText: 'Spring mailing' }).waitFor();
    await page.locator('[data-testid="run-status"][data-status="COMPLETED"]').waitFor({ timeout: 30_000 });
    const figure = async (name) => (await page.locator(`[data-testid="run-${name}"]`).textContent()).trim();
    assert.equal(await figure('rows-read'), '5');
    assert.equal(await figure('rows-rejected'), '1');
    assert.equal(await figure('proposals'), '4');
    assert.equal(await figure('chosen'), '1');
    assert.equal(await figure('total-value'), '10.00 EUR');
    assert.equal(await page.locator('[data-testid="run-working"]').count(), 0, 'no progress bar once done');

    // Bob refused email: both his proposals, in words.
    const consent = page.locator('[data-testid="refusal-row"][data-reason="NO_CONSENT"]');
    assert.equal(await consent.locator('[data-testid="refusal-count"]').textContent(), '2');
    assert.match(await consent.locator('[data-testid="refusal-reason"]').textContent(), /refused consent/);
    // Ann's second offer went to the limit of one per contact or to the exclusion.
    const refused = await page.locator('[data-testid="refusal-row"]').evaluateAll(
      (rows) => rows.map((r) => [r.dataset.reason, r.querySelector('[data-testid="refusal-count"]').textContent]),
    );
    assert.equal(refused.filter(([r]) => r === 'PER_CONTACT' || r === 'EXCLUSION').reduce((n, [, c]) => n + Number(c), 0), 1,
      JSON.stringify(refused));

    // The unknown offer's row, by line and column.
    const rejected = page.locator('[data-testid="rejection-row"]');
    assert.equal(await rejected.count(), 1);
    assert.equal(await rejected.locator('[data-testid="rejection-line"]').textContent(), '6');
    assert.equal(await rejected.locator('[data-testid="rejection-column"]').textContent(), 'offer');

    // The constraints as they ran, and what each campaign got.
    assert.equal(await figure('max-per-contact'), 'At most 1 offer per contact');
    assert.equal(await figure('exclusions'), 'A or B');
    assert.equal(await figure('channel-capacity'), 'No limit');
    const spring = page.locator('[data-testid="run-campaigns"] [data-testid="share-row"][data-name="Spring"]');
    assert.equal(await spring.locator('[data-testid="share-chosen"]').textContent(), '1 of 3');
    await shot(page, '96-optimization-run');

    // The chosen proposals download with the session: Ann's offer A, nothing else.
    const href = await page.locator('[data-testid="run-download"]').getAttribute('href');
    const download = await page.request.get(new URL(href, BASE).href);
    assert.equal(download.status(), 200);
    const lines = (await download.text()).trim().split(/\r?\n/);
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0], /^line,contact/i);
    assert.ok(lines[1].startsWith('2,') && lines[1].split(',').includes('A'), lines[1]);

    // The list shows the run with what it chose.
    await page.click('[data-testid="nav-optimization"]');
    await page.waitForURL(`${BASE}/app/optimization`);
    const row = page.locator('[data-testid="run-row"]', { hasText: 'Spring mailing' });
    await row.waitFor();
    assert.equal(await row.getAttribute('data-status'), 'COMPLETED');
    assert.equal(await row.locator('[data-testid="run-row-chosen"]').textContent(), '1 of 4');
    assert.equal(await row.locator('[data-testid="run-file"]').textContent(), 'proposals.csv');

    // A most of 0 offers per contact is refused under its field; nothing else is named.
    await page.waitForSelector('[data-testid="run-submit"]:not([disabled])');
    await page.setInputFiles('[data-testid="run-file-input"]', file);
    await page.fill('[data-testid="run-max-per-contact"]', '0');
    await page.click('[data-testid="run-submit"]');
    await page.locator('[data-testid="error-maxPerContact"]', { hasText: /between 1 and 100/ }).waitFor();
    assert.equal(await page.locator('[data-testid="form-error"]').count(), 0);
    assert.equal(page.url(), `${BASE}/app/optimization`);
    await shot(page, '97-optimization-bad-input');
    assert.equal(await page.locator('[data-testid="run-row"]').count(), 1, 'nothing was started');
    assert.deepEqual(unexpected(problems), []);

    // Another workspace finds no such run.
    await inBrowser('optimization-stranger', async (stranger) => {
      await signUp(stranger, { name: 'Sam Stranger', email: `sam-${id}@example.com`, workspace: `Other ${id}` });
      await stranger.goto(runUrl);
      await stranger.waitForSelector('body[data-hydrated="true"]');
      await stranger.locator('[data-testid="load-error"]', { hasText: /not found/i }).waitFor();
      assert.equal(await stranger.locator('[data-testid="page-title"]').textContent(), 'Not found');
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}));
