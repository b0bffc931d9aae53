// Journeys in a real browser: a marketer builds a manual journey step by step (a wait
// for a purchase with a timeout, a contact field set, an exit) and sees its JSON; the
// first publication is refused under the exit step, which nothing leads to; once the
// field step leads there, it publishes. A contact enrolled by email shows on the canvas
// (entered and waiting at the first step), in the journey's table with its path, and
// on the contact's page; enrolling them again is refused. A tracked purchase takes
// them through the field step to the exit. The journey is paused and resumed.
//
// A second story sends an email from a journey: with a template and a sending domain
// in the workspace, an email step is built (its From address refused under it until it
// is at the sending domain), published, and a contact who agreed to email goes through
// it: the canvas names the template and the contact's path says the email was queued.
//
// A third story enrols contacts as they come into a segment and tells a team member:
// the entry's segment and the member are chosen in the builder, the journey published,
// and its page names the segment and what the member is told.
//
// A fourth story scores a lead, branches on the last email's response and calls a
// webhook: built in the builder (the webhook's http URL refused under it), published,
// the canvas reads each step in words and the page shows the webhook secret.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 node --test tests/browser/journeys.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, NEEDS_SERVER, PASSWORD, inBrowser, ok, shot, signUp, stamp, unexpected,
} from './support.mjs';

const text = async (locator) => (await locator.textContent()).trim();

test('a marketer builds, publishes and follows a journey', {
  skip: NEEDS_SERVER,
  timeout: 240_000,
}, () => inBrowser('journeys', async (page, _context, problems) => {
  const id = stamp();
  const email = `jo-${id}@example.com`;
  const workspace = await signUp(page, { name: 'Jo Journey', email, workspace: `Journeys ${id}` });
  const session = await ok('mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }',
    { variables: { i: { email, password: PASSWORD } } });
  const as = { bearer: session.logIn.accessToken, workspace };
  await ok('mutation { createContactField(input: {key: "tier", label: "Tier", kind: STRING}) { id } }', as);
  const buyer = `pat-${id}@example.com`;
  await ok('mutation($i: ContactInput!) { createContact(input: $i) { id } }',
    { ...as, variables: { i: { email: buyer, firstName: 'Pat', lastName: 'Buyer' } } });

  await page.click('[data-testid="nav-journeys"]');
  await page.waitForURL(`${BASE}/app/journeys`);
  assert.equal(await text(page.locator('[data-testid="page-title"]')), 'Journeys');
  await page.locator('[data-testid="journeys-empty"]').waitFor();
  await page.click('[data-testid="journey-new-link"]');
  await page.waitForURL(`${BASE}/app/journeys/new`);
  await page.waitForSelector('[data-testid="journey-submit"]:not([disabled])');

  // Three steps: wait for a purchase (three days at most), set the tier, exit.
  await page.fill('[data-testid="journey-name"]', 'Welcome series');
  const step = (n) => page.locator('[data-testid="step-row"]').nth(n);
  await step(0).locator('[data-testid="step-id"]').fill('bought');
  await step(0).locator('[data-testid="step-kind"]').selectOption('waitFor');
  await step(0).locator('[data-testid="step-event"]').fill('purchase');
  await step(0).locator('[data-testid="step-timeout"]').fill('P3D');
  await page.click('[data-testid="step-add"]');
  await step(1).locator('[data-testid="step-id"]').fill('tag');
  await step(1).locator('[data-testid="step-kind"]').selectOption('updateAttribute');
  await step(1).locator('[data-testid="step-field"]').selectOption('tier');
  await step(1).locator('[data-testid="step-value"]').fill('gold');
  await page.click('[data-testid="step-add"]');
  await step(2).locator('[data-testid="step-id"]').fill('done');
  await step(2).locator('[data-testid="step-kind"]').selectOption('exit');
  await step(0).locator('[data-testid="step-next"]').selectOption('tag');
  assert.equal(await step(0).locator('[data-testid="step-timeoutNext"]').inputValue(), '', 'no event: the end');
  await page.selectOption('[data-testid="journey-start"]', 'bought');

  await page.click('[data-testid="journey-json-toggle"]');
  assert.deepEqual(JSON.parse(await page.locator('[data-testid="journey-json"]').inputValue()), {
    entry: { manual: true },
    reentry: { mode: 'never' },
    start: 'bought',
    steps: [
      { id: 'bought', kind: 'waitFor', event: 'purchase', timeout: 'P3D', next: 'tag' },
      { id: 'tag', kind: 'updateAttribute', field: 'tier', value: 'gold' },
      { id: 'done', kind: 'exit' },
    ],
  });
  await page.click('[data-testid="journey-json-toggle"]');
  assert.equal(await step(2).locator('[data-testid="step-id"]').inputValue(), 'done');
  await page.click('[data-testid="journey-submit"]');

  // Saved as a draft; publishing is refused under the step nothing leads to.
  await page.waitForURL((url) => /^\/app\/journeys\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith('/new'));
  const journeyUrl = page.url();
  await page.locator('[data-testid="page-title"]', { hasText: 'Welcome series' }).waitFor();
  assert.equal(await page.locator('[data-testid="journey-status"]').getAttribute('data-status'), 'DRAFT');
  await page.locator('[data-testid="journey-edit-form"]').waitFor();
  await page.click('[data-testid="journey-publish"]');
  const refusal = step(2).locator('[data-testid="error-definition.steps[2]"]');
  await refusal.waitFor();
  assert.match(await text(refusal), /"done".*cannot be reached/);
  assert.equal(await page.locator('[data-testid="journey-status"]').getAttribute('data-status'), 'DRAFT');
  await shot(page, '98-journey-unreachable');

  // The field step leads to the exit; saved, then published.
  await step(1).locator('[data-testid="step-next"]').selectOption('done');
  await page.click('[data-testid="journey-save"]');
  await page.locator('[data-testid="journey-edit-form"]').waitFor();
  assert.equal(await page.locator('[data-testid="error-definition.steps[2]"]').count(), 0);
  await page.waitForSelector('[data-testid="journey-publish"]:not([disabled])');
  await page.click('[data-testid="journey-publish"]');
  await page.locator('[data-testid="journey-status"][data-status="ACTIVE"]').waitFor();
  assert.equal(await page.locator('[data-testid="journey-edit-form"]').count(), 0);
  assert.equal(await page.locator('[data-testid="journey-publish"]').count(), 0);
  const first = page.locator('[data-testid="step-bought"]');
  await first.waitFor();
  assert.equal(await text(first.locator('[data-testid="step-summary"]')), 'purchase within 3 d');
  assert.equal(await text(first.locator('[data-testid="step-leads"]')), '→ tag · no event → end');
  assert.equal(await text(first.locator('[data-testid="step-entered"]')), '0');
  assert.equal(await page.locator('[data-testid="journey-column"]').count(), 3, 'a column per distance');

  // A contact enrolled by email enters and waits at the first step.
  await page.fill('[data-testid="enrol-email"]', buyer);
  await page.click('[data-testid="enrol-submit"]');
  await page.locator('[data-testid="enrol-done"]', { hasText: 'bought' }).waitFor();
  // The worker moves the contact on; its state shows once it waits for the event.
  const row = page.locator('[data-testid="enrolment-row"]');
  const waitingRow = row.locator('[data-testid="enrolment-status"][data-status="WAITING"]');
  const deadline = Date.now() + 20_000;
  for (;;) {
    const waiting = first.locator('[data-testid="step-waiting"]');
    if (await waiting.count() && await text(waiting) === '1' && await waitingRow.count()) break;
    assert.ok(Date.now() < deadline, 'the contact never waited at the first step');
    await page.waitForTimeout(500);
    await page.click('[data-testid="journey-refresh"]');
  }
  assert.equal(await text(first.locator('[data-testid="step-entered"]')), '1');
  assert.equal(await text(page.locator('[data-testid="step-tag"] [data-testid="step-entered"]')), '0');
  assert.equal(await row.count(), 1);
  assert.equal(await text(row.locator('[data-testid="enrolment-contact"]')), buyer);
  assert.equal(await row.locator('[data-testid="enrolment-status"]').getAttribute('data-status'), 'WAITING');
  await row.locator('[data-testid="enrolment-details"]').click();
  await row.locator('[data-testid="path-visit"][data-step="bought"]').waitFor();
  await shot(page, '99-journey-canvas');

  // Once in, the contact may not be enrolled again.
  await page.fill('[data-testid="enrol-email"]', buyer);
  await page.click('[data-testid="enrol-submit"]');
  await page.locator('[data-testid="enrol-form"] [data-testid="error-email"]').waitFor();

  // The contact's page lists the journey.
  await row.locator('[data-testid="enrolment-contact"]').click();
  await page.waitForURL(/\/app\/contacts\/[^/]+$/);
  const mine = page.locator('[data-testid="contact-journey-row"]');
  await mine.waitFor();
  assert.equal(await text(mine.locator('[data-testid="contact-journey-link"]')), 'Welcome series');
  assert.equal(await text(mine.locator('[data-testid="contact-journey-step"]')), 'bought');
  assert.equal(await mine.locator('[data-testid="enrolment-status"]').getAttribute('data-status'), 'WAITING');

  // A tracked purchase takes the contact through the field step to the exit.
  const { key } = (await ok('mutation { rotateTrackingKey { key } }', as)).rotateTrackingKey;
  const tracked = await fetch(`${BASE}/t/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key, events: [{ type: 'purchase', email: buyer, properties: { total: 20 } }] }),
  });
  assert.ok(tracked.ok, `tracked: ${tracked.status} ${await tracked.text()}`);
  await mine.locator('[data-testid="contact-journey-link"]').click();
  await page.waitForURL(journeyUrl);
  const exit = page.locator('[data-testid="step-done"]');
  const later = Date.now() + 30_000;
  for (;;) {
    await exit.waitFor();
    if (await text(exit.locator('[data-testid="step-exited"]')) === '1') break;
    assert.ok(Date.now() < later, 'the contact never reached the exit');
    await page.waitForTimeout(500);
    await page.click('[data-testid="journey-refresh"]');
  }
  assert.equal(await text(page.locator('[data-testid="step-tag"] [data-testid="step-completed"]')), '1');
  assert.equal(await text(first.locator('[data-testid="step-waiting"]')), '0');
  const contact = await ok(`query($e: String!) { contactByIdentity(email: $e) { attributes } }`,
    { ...as, variables: { e: buyer } });
  assert.equal(contact.contactByIdentity.attributes.tier, 'gold');

  // Paused and resumed.
  await page.click('[data-testid="journey-pause"]');
  await page.locator('[data-testid="journey-status"][data-status="PAUSED"]').waitFor();
  await page.click('[data-testid="journey-resume"]');
  await page.locator('[data-testid="journey-status"][data-status="ACTIVE"]').waitFor();

  // The list shows it published, once.
  await page.click('[data-testid="nav-journeys"]');
  const listed = page.locator('[data-testid="journey-row"][data-name="Welcome series"]');
  await listed.waitFor();
  assert.equal(await listed.locator('[data-testid="journey-status"]').getAttribute('data-status'), 'ACTIVE');
  assert.equal(await text(listed.locator('[data-testid="journey-version"]')), '1');
  assert.equal(await text(listed.locator('[data-testid="journey-entry"]')), 'Manual');
  assert.deepEqual(unexpected(problems), []);
}));

test('a journey sends an email to a contact who agreed to it', {
  skip: NEEDS_SERVER,
  timeout: 180_000,
}, () => inBrowser('journeys-email', async (page, _context, problems) => {
  const id = stamp();
  const email = `em-${id}@example.com`;
  const workspace = await signUp(page, { name: 'Em Mailer', email, workspace: `Journey mail ${id}` });
  const session = await ok('mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }',
    { variables: { i: { email, password: PASSWORD } } });
  const as = { bearer: session.logIn.accessToken, workspace };
  const domain = `news-${id.replace(/[^0-9]/g, '')}.shop.example`;
  await ok('mutation($d: String!) { addSendingDomain(input: {domain: $d}) { id } }', { ...as, variables: { d: domain } });
  const mjml = '<mjml><mj-body><mj-section><mj-column><mj-text>Hello {{ contact.first_name | default("friend") }}.</mj-text></mj-column></mj-section></mj-body></mjml>';
  await ok('mutation($i: EmailTemplateInput!) { createEmailTemplate(input: $i) { id } }',
    { ...as, variables: { i: { name: 'Welcome mail', subject: 'Welcome!', mjml } } });
  const reader = `ria-${id}@example.com`;
  await ok('mutation($i: ContactInput!) { createContact(input: $i) { id } }', {
    ...as,
    variables: { i: { email: reader, firstName: 'Ria', consents: [{ channel: 'EMAIL', status: 'GRANTED' }] } },
  });

  await page.click('[data-testid="nav-journeys"]');
  await page.waitForURL(`${BASE}/app/journeys`);
  await page.click('[data-testid="journey-new-link"]');
  await page.waitForURL(`${BASE}/app/journeys/new`);
  await page.waitForSelector('[data-testid="journey-submit"]:not([disabled])');

  // An email step, then a day's wait; its From address is first at another domain.
  await page.fill('[data-testid="journey-name"]', 'Welcome mail');
  const step = (n) => page.locator('[data-testid="step-row"]').nth(n);
  await step(0).locator('[data-testid="step-id"]').fill('mail');
  await step(0).locator('[data-testid="step-kind"]').selectOption({ label: 'Send an email' });
  assert.equal(await step(0).locator('[data-testid="templates-empty"]').count(), 0);
  await step(0).locator('[data-testid="step-template"]').selectOption({ label: 'Welcome mail' });
  await step(0).locator('[data-testid="step-domain"]').selectOption({ label: domain });
  assert.equal(await text(step(0).locator('[data-testid="step-from-hint"]')),
    `An address at ${domain}, like news@${domain}.`);
  await step(0).locator('[data-testid="step-fromAddress"]').fill('news@elsewhere.example');
  await step(0).locator('[data-testid="step-fromName"]').fill('The shop');
  await page.click('[data-testid="step-add"]');
  await step(1).locator('[data-testid="step-id"]').fill('later');
  await step(0).locator('[data-testid="step-next"]').selectOption('later');
  await page.selectOption('[data-testid="journey-start"]', 'mail');

  await page.click('[data-testid="journey-json-toggle"]');
  const built = JSON.parse(await page.locator('[data-testid="journey-json"]').inputValue());
  assert.equal(built.steps[0].kind, 'email');
  assert.equal(built.steps[0].fromAddress, 'news@elsewhere.example');
  assert.equal(built.steps[0].fromName, 'The shop');
  assert.equal(built.steps[0].next, 'later');
  assert.ok(built.steps[0].template && built.steps[0].domain, 'the template and domain by ID');
  await page.click('[data-testid="journey-json-toggle"]');
  assert.equal(await step(0).locator('[data-testid="step-fromName"]').inputValue(), 'The shop', 'read back');
  await page.click('[data-testid="journey-submit"]');

  // Publishing refuses the From address under its input; at the domain, it publishes.
  await page.waitForURL((url) => /^\/app\/journeys\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith('/new'));
  await page.locator('[data-testid="journey-edit-form"]').waitFor();
  await page.waitForSelector('[data-testid="journey-publish"]:not([disabled])');
  await page.click('[data-testid="journey-publish"]');
  const refusal = step(0).locator('[data-testid="error-definition.steps[0].fromAddress"]');
  await refusal.waitFor();
  assert.equal(await page.locator('[data-testid="journey-status"]').getAttribute('data-status'), 'DRAFT');
  assert.equal(await step(0).locator('[data-testid="step-template"] option:checked').textContent(), 'Welcome mail');
  await step(0).locator('[data-testid="step-fromAddress"]').fill(`news@${domain}`);
  await page.click('[data-testid="journey-save"]');
  await page.locator('[data-testid="journey-edit-form"]').waitFor();
  await page.waitForSelector('[data-testid="journey-publish"]:not([disabled])');
  assert.equal(await page.locator('[data-testid="error-definition.steps[0].fromAddress"]').count(), 0);
  await page.click('[data-testid="journey-publish"]');
  await page.locator('[data-testid="journey-status"][data-status="ACTIVE"]').waitFor();
  const mail = page.locator('[data-testid="step-mail"]');
  await mail.waitFor();
  assert.equal(await text(mail.locator('[data-testid="step-kind"]')), 'Send an email');
  assert.equal(await text(mail.locator('[data-testid="step-summary"]')), `Email "Welcome mail" from news@${domain}`);
  assert.equal(await text(mail.locator('[data-testid="step-leads"]')), '→ later');

  // The contact goes through the email step and waits at the next; its path says the
  // email was queued.
  await page.fill('[data-testid="enrol-email"]', reader);
  await page.click('[data-testid="enrol-submit"]');
  await page.locator('[data-testid="enrol-done"]').waitFor();
  const row = page.locator('[data-testid="enrolment-row"]');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const at = row.locator('[data-testid="enrolment-step"]');
    const done = mail.locator('[data-testid="step-completed"]');
    if (await at.count() && (await text(at)).startsWith('later') && await done.count()
      && await text(done) === '1') break;
    assert.ok(Date.now() < deadline, 'the contact never went through the email step');
    await page.waitForTimeout(500);
    await page.click('[data-testid="journey-refresh"]');
  }
  assert.equal(await text(page.locator('[data-testid="step-later"] [data-testid="step-waiting"]')), '1');
  assert.equal(await row.locator('[data-testid="enrolment-status"]').getAttribute('data-status'), 'WAITING');
  await row.locator('[data-testid="enrolment-details"]').click();
  const visit = row.locator('[data-testid="path-visit"][data-step="mail"]');
  await visit.waitFor();
  assert.equal(await text(visit.locator('[data-testid="path-note"]')), 'email queued');
  await shot(page, '99-journey-email');
  assert.deepEqual(unexpected(problems), []);
}));

test('a journey enrols contacts entering a segment and tells a team member', {
  skip: NEEDS_SERVER,
  timeout: 120_000,
}, () => inBrowser('journeys-segment', async (page, _context, problems) => {
  const id = stamp();
  const email = `ann-${id}@example.com`;
  const workspace = await signUp(page, { name: 'Ann Owner', email, workspace: `Journey segment ${id}` });
  const session = await ok('mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }',
    { variables: { i: { email, password: PASSWORD } } });
  const as = { bearer: session.logIn.accessToken, workspace };
  await ok('mutation($i: CreateSegmentInput!) { createSegment(input: $i) { id } }', { ...as, variables: { i: {
    name: 'VIPs', rule: { attribute: 'email', op: 'contains', value: `-${id}@vips.example.org` },
  } } });

  await page.click('[data-testid="nav-journeys"]');
  await page.waitForURL(`${BASE}/app/journeys`);
  await page.click('[data-testid="journey-new-link"]');
  await page.waitForURL(`${BASE}/app/journeys/new`);
  await page.waitForSelector('[data-testid="journey-submit"]:not([disabled])');

  // Contacts entering "VIPs" enter; one step tells Ann.
  await page.fill('[data-testid="journey-name"]', 'VIP hello');
  assert.equal(await page.locator('[data-testid="journey-segment"]').count(), 0, 'no segment for a manual entry');
  await page.selectOption('[data-testid="journey-entry"]', { label: 'Contacts entering a segment' });
  assert.equal(await page.locator('[data-testid="segments-empty"]').count(), 0);
  await page.selectOption('[data-testid="journey-segment"]', { label: 'VIPs' });
  const step = (n) => page.locator('[data-testid="step-row"]').nth(n);
  await step(0).locator('[data-testid="step-id"]').fill('tell');
  await step(0).locator('[data-testid="step-kind"]').selectOption({ label: 'Tell a team member' });
  await step(0).locator('[data-testid="step-user"]').selectOption({ label: 'Ann Owner' });
  const message = 'A new VIP came in: say hello and ask how their first order went.';
  await step(0).locator('[data-testid="step-message"]').fill(message);
  await page.selectOption('[data-testid="journey-start"]', 'tell');

  await page.click('[data-testid="journey-json-toggle"]');
  const built = JSON.parse(await page.locator('[data-testid="journey-json"]').inputValue());
  assert.ok(built.entry.segment, 'the segment by ID');
  assert.equal(built.steps[0].kind, 'notify');
  assert.ok(built.steps[0].user, 'the member by user ID');
  assert.equal(built.steps[0].message, message);
  await page.click('[data-testid="journey-json-toggle"]');
  assert.equal(await page.locator('[data-testid="journey-segment"] option:checked').textContent(), 'VIPs', 'read back');
  assert.equal(await step(0).locator('[data-testid="step-message"]').inputValue(), message);
  await page.click('[data-testid="journey-submit"]');

  // Saved, then published: the page names the segment and the member told.
  await page.waitForURL((url) => /^\/app\/journeys\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith('/new'));
  await page.locator('[data-testid="journey-edit-form"]').waitFor();
  assert.equal(await step(0).locator('[data-testid="step-user"] option:checked').textContent(), 'Ann Owner');
  await page.waitForSelector('[data-testid="journey-publish"]:not([disabled])');
  await page.click('[data-testid="journey-publish"]');
  await page.locator('[data-testid="journey-status"][data-status="ACTIVE"]').waitFor();
  assert.equal(await text(page.locator('[data-testid="journey-entry"]')), 'Segment');
  assert.equal(await text(page.locator('[data-testid="journey-entry-name"]')), 'VIPs');
  const tell = page.locator('[data-testid="step-tell"]');
  await tell.waitFor();
  assert.equal(await text(tell.locator('[data-testid="step-kind"]')), 'Tell a team member');
  assert.equal(await text(tell.locator('[data-testid="step-summary"]')),
    'Tell Ann Owner: "A new VIP came in: say hello and ask how…"');
  await shot(page, '99-journey-segment');

  await page.click('[data-testid="nav-journeys"]');
  const listed = page.locator('[data-testid="journey-row"][data-name="VIP hello"]');
  await listed.waitFor();
  assert.equal(await text(listed.locator('[data-testid="journey-entry"]')), 'Segment');
  assert.deepEqual(unexpected(problems), []);
}));

test('a journey scores a lead, branches on the last response and calls a webhook', {
  skip: NEEDS_SERVER,
  timeout: 120_000,
}, () => inBrowser('journeys-lead', async (page, _context, problems) => {
  const id = stamp();
  await signUp(page, { name: 'Lee Lead', email: `lee-${id}@example.com`, workspace: `Journey leads ${id}` });
  await page.click('[data-testid="nav-journeys"]');
  await page.waitForURL(`${BASE}/app/journeys`);
  await page.click('[data-testid="journey-new-link"]');
  await page.waitForURL(`${BASE}/app/journeys/new`);
  await page.waitForSelector('[data-testid="journey-submit"]:not([disabled])');

  // A lead step worth 12 points, a branch on whether the last email was opened, and a
  // webhook called when it was (its URL first plain http).
  await page.fill('[data-testid="journey-name"]', 'Lead scoring');
  const step = (n) => page.locator('[data-testid="step-row"]').nth(n);
  await step(0).locator('[data-testid="step-id"]').fill('score');
  await step(0).locator('[data-testid="step-kind"]').selectOption({ label: 'Make or update a lead' });
  await step(0).locator('[data-testid="step-points"]').fill('12');
  await step(0).locator('[data-testid="step-reason"]').fill('Finished onboarding');
  await page.click('[data-testid="step-add"]');
  await step(1).locator('[data-testid="step-id"]').fill('opened');
  await step(1).locator('[data-testid="step-kind"]').selectOption({ label: 'Branch on a rule' });
  await step(1).locator('[data-testid="step-condition"]').waitFor();
  await step(1).locator('[data-testid="step-branchOn"]').selectOption({ label: "Last email's response" });
  assert.equal(await step(1).locator('[data-testid="step-condition"]').count(), 0, 'no rule to write');
  await step(1).locator('[data-testid="step-lastResponse"]').selectOption({ label: 'Opened' });
  await page.click('[data-testid="step-add"]');
  await step(2).locator('[data-testid="step-id"]').fill('hook');
  await step(2).locator('[data-testid="step-kind"]').selectOption({ label: 'Call a webhook' });
  await step(2).locator('[data-testid="step-url"]').fill('http://hooks.example.com/parley');
  await step(0).locator('[data-testid="step-next"]').selectOption('opened');
  await step(1).locator('[data-testid="step-yes"]').selectOption('hook');
  await page.selectOption('[data-testid="journey-start"]', 'score');

  await page.click('[data-testid="journey-json-toggle"]');
  assert.deepEqual(JSON.parse(await page.locator('[data-testid="journey-json"]').inputValue()).steps, [
    { id: 'score', kind: 'lead', points: 12, reason: 'Finished onboarding', next: 'opened' },
    { id: 'opened', kind: 'branch', condition: { lastResponse: 'OPENED' }, yes: 'hook' },
    { id: 'hook', kind: 'webhook', url: 'http://hooks.example.com/parley' },
  ]);
  await page.click('[data-testid="journey-json-toggle"]');
  assert.equal(await step(1).locator('[data-testid="step-lastResponse"]').inputValue(), 'OPENED', 'read back');
  assert.equal(await step(0).locator('[data-testid="step-points"]').inputValue(), '12');

  // The http URL is refused under its input; over https the journey is added.
  await page.click('[data-testid="journey-submit"]');
  await step(2).locator('[data-testid="error-definition.steps[2].url"]').waitFor();
  await step(2).locator('[data-testid="step-url"]').fill('https://hooks.example.com/parley');
  await page.click('[data-testid="journey-submit"]');
  await page.waitForURL((url) => /^\/app\/journeys\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith('/new'));
  await page.locator('[data-testid="journey-edit-form"]').waitFor();
  await page.waitForSelector('[data-testid="journey-publish"]:not([disabled])');
  await page.click('[data-testid="journey-publish"]');
  await page.locator('[data-testid="journey-status"][data-status="ACTIVE"]').waitFor();

  // The canvas reads each step in words.
  const score = page.locator('[data-testid="step-score"]');
  await score.waitFor();
  assert.equal(await text(score.locator('[data-testid="step-kind"]')), 'Make or update a lead');
  assert.equal(await text(score.locator('[data-testid="step-summary"]')), 'Lead +12 (Finished onboarding)');
  const opened = page.locator('[data-testid="step-opened"]');
  assert.equal(await text(opened.locator('[data-testid="step-summary"]')), 'If the last email was opened');
  assert.equal(await text(opened.locator('[data-testid="step-leads"]')), 'yes → hook · no → end');
  const hook = page.locator('[data-testid="step-hook"]');
  assert.equal(await text(hook.locator('[data-testid="step-kind"]')), 'Call a webhook');
  assert.equal(await text(hook.locator('[data-testid="step-summary"]')), 'hooks.example.com');

  // The webhook secret is shown on demand, with how to check a signature.
  const secret = page.locator('[data-testid="journey-webhook-secret"]');
  await secret.locator('summary').click();
  assert.match(await text(secret.locator('[data-testid="journey-webhook-secret-value"]')), /^whsec_[0-9a-f]+$/);
  assert.match(await text(secret), /Verify Parley-Signature: t=…,v1=… as HMAC-SHA256 of "t\.body" with this secret\./);
  await shot(page, '99-journey-lead');
  assert.deepEqual(unexpected(problems), []);
}));
