// An email campaign in a real browser: the owner verifies their address from the
// emailed link, adds a sending domain and reads its DKIM record, keeps the suppression
// list by hand, writes a template whose live preview follows every change and fills in
// a chosen contact's data, builds a campaign for a segment (a wrong From address named
// next to its field), launches it and watches its progress until every contact was sent
// to; the outbox holds each contact's own message. Another workspace finds none of it.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 PARLEY_OUTBOX=/path/to/data/outbox node --test tests/browser/campaigns.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  BASE, NEEDS_OUTBOX, OUTBOX, PASSWORD, inBrowser, ok, shot, signUp, stamp, unexpected, waitForEmailedToken,
} from './support.mjs';

/** A newsletter in MJML, personalised with the contact's first name and plan. */
const MJML = `<mjml><mj-body><mj-section><mj-column>
<mj-text>Hello {{ contact.first_name | default("friend") }}, your plan is {{ contact.plan | default("none") }}.</mj-text>
<mj-button href="https://shop.example.com/spring">See the offer</mj-button>
</mj-column></mj-section></mj-body></mjml>`;

/**
 * What the browser reported, but what the email in the preview frame said itself (a
 * stylesheet or picture of the email's that this machine cannot fetch), told by where
 * it comes from.
 */
const fromPreview = new Set();
const problemsOf = (problems) => unexpected(problems)
  .filter((p) => !fromPreview.has(p));

/** The headers of a raw message, unfolded, by lower-case name. */
function headersOf(eml) {
  const end = eml.search(/\r?\n\r?\n/);
  const block = (end < 0 ? eml : eml.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const headers = {};
  for (const line of block.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] ??= line.slice(at + 1).trim();
  }
  return headers;
}

/** The headers of the first message in the outbox to `email` with a `List-Unsubscribe` (a campaign's). */
async function campaignMessageTo(email) {
  for (const name of (await readdir(OUTBOX)).filter((n) => n.endsWith('.eml'))) {
    const headers = headersOf(await readFile(path.join(OUTBOX, name), 'utf8'));
    if ((headers.to ?? '').includes(email) && headers['list-unsubscribe']) return headers;
  }
  return null;
}

test('a template previewed live, a campaign launched and followed until every contact got their own email', {
  skip: NEEDS_OUTBOX,
  timeout: 240_000,
}, () => inBrowser('campaigns', async (page, context, problems) => {
  const id = stamp();
  const email = `carla-${id}@example.com`;
  const workspace = await signUp(page, { name: 'Carla Campaigner', email, workspace: `Mailers ${id}` });
  const session = await ok('mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }',
    { variables: { i: { email, password: PASSWORD } } });
  const owner = { bearer: session.logIn.accessToken, workspace };
  // The app loads nothing from elsewhere (its policy is 'self'): what comes from
  // elsewhere is the email's (its web font), which this machine may not reach.
  page.on('console', (m) => {
    const from = m.location().url;
    if (from.startsWith(`${BASE}/files/email-preview`) || (/^https?:/.test(from) && !from.startsWith(BASE))) {
      fromPreview.add(`console: ${m.text()}`);
    }
  });

  // Campaigns go out only once an owner has verified their address: the emailed link
  // verifies it on a plain GET, then shows the result page.
  const token = await waitForEmailedToken(email, '/verify-email');
  const verified = await fetch(`${BASE}/verify-email?token=${encodeURIComponent(token)}`, { redirect: 'manual' });
  assert.equal(verified.status, 303);
  assert.match(verified.headers.get('location'), /^\/email-verified\?email=/);
  assert.equal((await ok('{ me { emailVerified } }', owner)).me.emailVerified, true);

  // Through the API (quicker): a contact field, three readers who agreed to email, one
  // contact outside the segment, and the dynamic segment of the readers.
  await ok('mutation { createContactField(input: {key: "plan", label: "Plan", kind: STRING}) { id } }', owner);
  const readers = [['Ann', 'gold'], ['Bob', 'silver'], ['Cleo', 'gold']];
  const addressOf = (first) => `${first.toLowerCase()}-${id}@readers.example.org`;
  const addContact = 'mutation($i: ContactInput!) { createContact(input: $i) { id } }';
  for (const [first, plan] of [...readers, ['Dan', 'gold']]) {
    const address = first === 'Dan' ? `dan-${id}@elsewhere.example.net` : addressOf(first);
    await ok(addContact, { ...owner, variables: { i: {
      email: address, firstName: first, attributes: { plan }, consents: [{ channel: 'EMAIL', status: 'GRANTED' }],
    } } });
  }
  await ok('mutation($i: CreateSegmentInput!) { createSegment(input: $i) { id } }', { ...owner, variables: { i: {
    name: 'Readers', rule: { attribute: 'email', op: 'contains', value: `-${id}@readers.example.org` },
  } } });

  // A sending domain, added in the UI: a bad one is named next to its field, a good one
  // shows the DKIM record to publish, ready to copy.
  await page.click('[data-testid="nav-campaigns"]');
  await page.waitForURL(`${BASE}/app/campaigns`);
  await page.locator('[data-testid="campaigns-empty"]').waitFor();
  await page.click('[data-testid="sending-link"]');
  await page.waitForURL(`${BASE}/app/sending`);
  await page.locator('[data-testid="domains-empty"]').waitFor();
  await page.fill('[data-testid="domain-input"]', 'localhost');
  await page.click('[data-testid="domain-submit"]');
  await page.locator('[data-testid="error-domain"]').waitFor();
  await page.fill('[data-testid="domain-input"]', 'News.Example.com');
  await page.click('[data-testid="domain-submit"]');
  const domain = page.locator('[data-testid="domain-row"][data-domain="news.example.com"]');
  await domain.waitFor();
  const recordName = await domain.locator('[data-testid="dkim-name"]').textContent();
  assert.match(recordName, /^\S+\._domainkey\.news\.example\.com$/);
  assert.match(await domain.locator('[data-testid="dkim-value"]').textContent(), /^v=DKIM1; k=rsa; p=MII/);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  await domain.locator('[data-testid="dkim-name-copy"]').click();
  await domain.locator('[data-testid="dkim-name-copy"]', { hasText: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), recordName);
  const inbound = (await ok('{ workspace { inboundEmailUrl } }', owner)).workspace.inboundEmailUrl;
  assert.equal(await page.locator('[data-testid="inbound-url"]').textContent(), inbound);

  // The suppression list, kept by hand: an address added with a note, then taken off.
  await page.locator('[data-testid="suppressions-empty"]').waitFor();
  await page.fill('[data-testid="suppress-email"]', `Bounced-${id}@example.net`);
  await page.fill('[data-testid="suppress-note"]', 'Asked by phone');
  await page.click('[data-testid="suppress-submit"]');
  const suppressed = page.locator('[data-testid="suppression-row"]', { hasText: `bounced-${id}@example.net` });
  await suppressed.waitFor();
  assert.match(await suppressed.textContent(), /Suppressed by hand.*Asked by phone/);
  await shot(page, '80-sending');
  await suppressed.locator('[data-testid="suppression-remove"]').click();
  await page.locator('[data-testid="suppressions-empty"]').waitFor();

  // A template: the starter previews at once; every change previews again shortly.
  await page.click('[data-testid="nav-templates"]');
  await page.waitForURL(`${BASE}/app/email-templates`);
  await page.locator('[data-testid="templates-empty"]').waitFor();
  await page.click('[data-testid="template-new"]');
  await page.waitForURL(`${BASE}/app/email-templates/new`);
  const subject = page.locator('[data-testid="preview-subject"]');
  await subject.filter({ hasText: /^Hello there$/ }).waitFor();
  await page.fill('[data-testid="template-name"]', 'Spring news');
  await page.fill('[data-testid="template-subject"]', 'Spring news for {{ contact.first_name | default("you") }}');
  await page.fill('[data-testid="template-mjml"]', MJML);
  await subject.filter({ hasText: /^Spring news for you$/ }).waitFor();
  const frame = page.frameLocator('[data-testid="preview-frame"]');
  await frame.getByText('Hello friend, your plan is none.').waitFor();
  assert.equal(await page.locator('[data-testid="preview-frame"]').getAttribute('sandbox'), '', 'no scripts in the preview');
  // The email's own inline styles apply there (the button's white text on its colour).
  const button = frame.getByText('See the offer');
  assert.equal(await button.evaluate((a) => getComputedStyle(a).color), 'rgb(255, 255, 255)');
  assert.equal(await button.evaluate((a) => getComputedStyle(a).backgroundColor), 'rgb(65, 65, 65)');

  // MJML that does not parse: the error, naming the part, takes the preview's place.
  await page.fill('[data-testid="template-mjml"]', '<mjml><mj-body><mj-text>unclosed');
  await page.locator('[data-testid="preview-error"][data-field="mjml"]', { hasText: 'MJML' }).waitFor();
  assert.ok(await page.locator('[data-testid="preview-message"]').isHidden(), 'the error shows instead of the preview');
  await page.fill('[data-testid="template-mjml"]', MJML);

  // Previewed as Ann would receive it.
  await page.fill('[data-testid="preview-contact-search"]', 'Ann');
  await page.locator('[data-testid="preview-contact-option"]', { hasText: addressOf('Ann') }).click();
  await page.locator('[data-testid="preview-contact-chosen"]', { hasText: 'Ann' }).waitFor();
  await subject.filter({ hasText: /^Spring news for Ann$/ }).waitFor();
  await frame.getByText('Hello Ann, your plan is gold.').waitFor();
  assert.match(await page.locator('[data-testid="preview-text"]').textContent(), /Hello Ann, your plan is gold\./);
  await shot(page, '81-template-preview');
  await page.click('[data-testid="template-save"]');
  await page.waitForURL(/\/app\/email-templates\/(?!new$)[^/]+$/);
  await page.locator('[data-testid="page-title"]', { hasText: 'Spring news' }).waitFor();

  // The campaign, built in the UI: a From address off the sending domain is refused
  // next to its field.
  await page.click('[data-testid="nav-campaigns"]');
  await page.waitForURL(`${BASE}/app/campaigns`);
  await page.locator('[data-testid="audience-row"][data-name="Readers"]').waitFor();
  await page.fill('[data-testid="campaign-name"]', 'Spring newsletter');
  await page.locator('[data-testid="audience-row"][data-name="Readers"] [data-testid="audience-include"]').check();
  await page.selectOption('[data-testid="campaign-template"]', { label: 'Spring news' });
  await page.selectOption('[data-testid="campaign-domain"]', { label: 'news.example.com' });
  await page.fill('[data-testid="campaign-from-address"]', 'hello@elsewhere.example.com');
  await page.fill('[data-testid="campaign-from-name"]', 'Example News');
  await page.click('[data-testid="campaign-submit"]');
  await page.locator('[data-testid="error-fromAddress"]', { hasText: 'news.example.com' }).waitFor();
  await page.fill('[data-testid="campaign-from-address"]', 'hello@news.example.com');
  await page.click('[data-testid="campaign-submit"]');
  await page.waitForURL(/\/app\/campaigns\/[^/]+$/);
  const campaignUrl = page.url();
  const title = page.locator('[data-testid="page-title"]');
  await title.locator('[data-testid="campaign-status"][data-status="DRAFT"]').waitFor();
  assert.equal(await page.locator('[data-testid="campaign-audience"]').textContent(), 'Readers');
  assert.equal(await page.locator('[data-testid="campaign-from"]').textContent(), 'Example News <hello@news.example.com>');
  await page.locator('[data-testid="progress-none"]').waitFor();
  await shot(page, '82-campaign-draft');

  // Launched (no rule asks for approval): the page follows it, polling its progress,
  // until the worker in the server has sent to every reader.
  const polled = [];
  page.on('response', async (r) => {
    if (!r.url().endsWith('/graphql') || !(r.request().postData() ?? '').includes('"operationName":"CampaignProgress"')) return;
    polled.push((await r.json().catch(() => ({}))).data?.campaign?.status);
  });
  await page.click('[data-testid="campaign-launch"]');
  await title.locator('[data-testid="campaign-status"][data-status="COMPLETED"]').waitFor({ timeout: 120_000 });
  assert.ok(polled.some((s) => s === 'SCHEDULED' || s === 'RUNNING'), `followed while sending: ${polled}`);
  await page.locator('[data-testid="progress-sent"]', { hasText: /^3$/ }).waitFor();
  const figure = (name) => page.locator(`[data-testid="progress-${name}"]`).textContent();
  assert.deepEqual(
    { targeted: await figure('targeted'), control: await figure('control'), suppressed: await figure('suppressed'), failed: await figure('failed'), queued: await figure('queued') },
    { targeted: '3', control: '0', suppressed: '0', failed: '0', queued: '0' },
  );
  assert.match(await page.locator('[data-testid="progress-summary"]').textContent(), /^100% done/);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="send-row"][data-status="SENT"]').length === 3);
  assert.equal(await page.locator('[data-testid="campaign-launch"]').count(), 0, 'nothing left to launch');
  await shot(page, '83-campaign-completed');
  await page.selectOption('[data-testid="sends-status"]', 'FAILED');
  await page.locator('[data-testid="sends-empty"]').waitFor();

  // Its results: before any purchase, the three readers were sent to, nobody was held
  // out (so no lift can be told) and nothing was bought.
  const results = page.locator('[data-testid="results"]');
  const treated = results.locator('[data-testid="results-arm"][data-arm="treated"]');
  const control = results.locator('[data-testid="results-arm"][data-arm="control"]');
  await treated.locator('[data-testid="arm-contacts"]', { hasText: /^3$/ }).waitFor();
  assert.equal(await control.locator('[data-testid="arm-contacts"]').textContent(), '0');
  assert.equal(await treated.locator('[data-testid="arm-converted"]').textContent(), '0');
  await results.locator('[data-testid="results-conversion-chart"]').waitFor();
  await results.locator('[data-testid="results-no-control"]').waitFor();

  // Ann buys through the tracking API: reloaded, the page counts her conversion and
  // revenue, and the ROI block shows what it caused beside what it cost (nothing yet).
  const { key } = (await ok('mutation { rotateTrackingKey { key } }', owner)).rotateTrackingKey;
  const bought = await fetch(`${BASE}/t/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key, events: [
      { type: 'purchase', email: addressOf('Ann'), properties: { amount: 1000, currency: 'EUR' } },
    ] }),
  });
  assert.ok(bought.ok, `tracked: ${bought.status} ${await bought.text()}`);
  await page.reload();
  await treated.locator('[data-testid="arm-converted"]', { hasText: /^1$/ }).waitFor();
  assert.equal(await treated.locator('[data-testid="arm-conversion-rate"]').textContent(), '33.3%');
  assert.match(await treated.locator('[data-testid="arm-revenue"]').textContent(), /EUR/);
  const roi = results.locator('[data-testid="results-roi"]');
  await roi.waitFor();
  assert.equal(await roi.locator('[data-testid="roi-cost"]').textContent(), 'Nothing yet');
  assert.equal(await roi.locator('[data-testid="roi-value"]').textContent(), '—');
  await page.selectOption('[data-testid="results-days"]', '30');
  await treated.locator('[data-testid="arm-converted"]', { hasText: /^1$/ }).waitFor();
  await shot(page, '83b-campaign-results');

  // Each reader got their own message, the subject filled in for them.
  for (const [first] of readers) {
    const headers = await campaignMessageTo(addressOf(first));
    assert.ok(headers, `a message to ${addressOf(first)} in the outbox`);
    assert.equal(headers.subject, `Spring news for ${first}`);
    assert.match(headers.from, /Example News.*hello@news\.example\.com/);
  }
  assert.equal(await campaignMessageTo(`dan-${id}@elsewhere.example.net`), null, 'nobody outside the segment');

  // The list shows it finished, and filters by status.
  await page.click('[data-testid="nav-campaigns"]');
  const row = page.locator('[data-testid="campaign-row"]', { hasText: 'Spring newsletter' });
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'COMPLETED');
  assert.equal(await row.locator('[data-testid="campaign-counts"]').textContent(), '3 / 3');
  await page.selectOption('[data-testid="campaigns-status"]', 'DRAFT');
  await page.locator('[data-testid="campaigns-empty"]').waitFor();
  await page.selectOption('[data-testid="campaigns-status"]', 'COMPLETED');
  await row.waitFor();
  await shot(page, '84-campaigns');
  assert.deepEqual(problemsOf(problems), []);

  // Another workspace cannot open it, not even by its address.
  await inBrowser('campaigns-stranger', async (stranger) => {
    await signUp(stranger, { name: 'Sam Stranger', email: `sam-${id}@example.com`, workspace: `Other ${id}` });
    await stranger.click('[data-testid="nav-campaigns"]');
    await stranger.locator('[data-testid="campaigns-empty"]').waitFor();
    await stranger.goto(campaignUrl);
    await stranger.locator('[data-testid="load-error"]', { hasText: /not found/i }).waitFor();
  });
}));
