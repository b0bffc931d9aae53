// A marketer brings contacts in from a spreadsheet in a real browser: chooses the
// file, sees its columns with a first guess of where each goes, maps the rest, imports,
// follows the counters to the end, downloads the error report, then exports everyone.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 node --test tests/browser/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, NEEDS_SERVER, inBrowser, signUp, stamp, unexpected } from './support.mjs';

test('a marketer imports a CSV with a column mapping, reads the error report and exports', {
  skip: NEEDS_SERVER,
  timeout: 180_000,
}, () => inBrowser('imports', async (page, _context, problems) => {
  const id = stamp();
  await signUp(page, { name: 'Ivy Importer', email: `ivy-${id}@example.com`, workspace: `Shop ${id}` });
  await page.click('[data-testid="nav-contacts"]');
  await page.waitForURL(`${BASE}/app/contacts`);
  await page.click('[data-testid="imports-link"]');
  await page.waitForURL(`${BASE}/app/imports`);
  await page.locator('[data-testid="imports-empty"]').waitFor();

  // A spreadsheet saved with semicolons, as many are.
  const csv = '\uFEFFE-mail;First name;Visits;Tier\r\n'
    + `ann-${id}@example.com;Ann;3;Gold\r\n`
    + 'not an address;Bo;1;\r\n'
    + `cy-${id}@example.com;Cy;two;Silver\r\n`
    + `dee-${id}@example.com;Dee;;\r\n`;
  await page.setInputFiles('[data-testid="import-file"]', { name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.locator('[data-testid="import-chosen"]', { hasText: 'people.csv' }).waitFor();
  assert.equal(await page.locator('[data-testid="import-delimiter"]').inputValue(), ';');
  const rows = page.locator('[data-testid="import-map-row"]');
  assert.equal(await rows.count(), 4);
  const target = (i) => rows.nth(i).locator('[data-testid="import-target"]');
  assert.equal(await target(0).inputValue(), 'own:email', 'the email column is recognised');
  assert.equal(await target(1).inputValue(), 'own:firstName');
  assert.equal(await target(2).inputValue(), '', 'an unknown column is skipped until mapped');
  assert.ok((await rows.nth(0).textContent()).includes(`ann-${id}@example.com`), 'the first rows are previewed');
  await target(2).selectOption('new:NUMBER');
  await target(3).selectOption('new:STRING');
  await page.check('[data-testid="import-consent-email"]');
  await page.click('[data-testid="import-submit"]');

  // The import runs in the background; the page follows it to the end.
  const row = page.locator('[data-testid="import-row"]').first();
  await row.locator('[data-testid="import-status"]', { hasText: 'COMPLETED' }).waitFor({ timeout: 30_000 });
  const count = async (what) => Number((await row.locator(`[data-testid="import-${what}"]`).textContent()).trim().split(' ')[0]);
  assert.equal(await count('read'), 4);
  assert.equal(await count('imported'), 2);
  assert.equal(await count('rejected'), 2);

  // The error report downloads with the session: line, column and reason per problem.
  const href = await row.locator('[data-testid="import-report"]').getAttribute('href');
  const report = await page.request.get(href);
  assert.equal(report.status(), 200);
  const lines = (await report.text()).trim().split(/\r?\n/);
  assert.equal(lines[0], 'line,column,reason');
  assert.ok(lines[1].startsWith('3,E-mail,'), lines[1]);
  assert.ok(lines[2].startsWith('4,Visits,'), lines[2]);

  // The contacts are there, with the new fields and the consent.
  await page.click('[data-testid="nav-contacts"]');
  await page.waitForURL(`${BASE}/app/contacts`);
  await page.locator('[data-testid="contact-row"]', { hasText: `ann-${id}@example.com` }).waitFor();
  assert.equal(await page.locator('[data-testid="contact-row"]').count(), 2);

  // Everyone to a file.
  await page.click('[data-testid="imports-link"]');
  await page.waitForURL(`${BASE}/app/imports`);
  await page.click('[data-testid="export-start"]');
  const download = page.locator('[data-testid="export-download"]').first();
  await download.waitFor({ timeout: 30_000 });
  const file = await page.request.get(await download.getAttribute('href'));
  assert.equal(file.status(), 200);
  const text = await file.text();
  assert.ok(text.startsWith('id,email,phone'), text.slice(0, 80));
  assert.ok(text.includes(`ann-${id}@example.com`) && text.includes(`dee-${id}@example.com`), text);
  assert.ok(/,GRANTED/.test(text), 'the email consent is in the file');
  assert.deepEqual(unexpected(problems), []);
}));
