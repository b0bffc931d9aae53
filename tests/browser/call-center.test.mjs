// Decisions in a real browser. On a point's page a marketer tries a decision: a context
// that is not a JSON object is named next to its field and nothing is sent, an email the
// server refuses is named next to the identity, and a real try answers the offers ranked
// with every candidate's factors and reason and what was excluded and why; the learning
// table then counts the presentation. In the call center an agent finds the caller, asks
// the phone point for the next best offers, reads the offer's script, records
// "Accepted" with one click and sees it on the caller's history; the point's learning
// then counts the response.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 node --test tests/browser/call-center.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, NEEDS_SERVER, PASSWORD, inBrowser, ok, shot, signUp, stamp, unexpected,
} from './support.mjs';

const CART = { attribute: 'context.page', op: 'eq', value: '/cart' };

/** Signs up, then returns the owner's bearer credential and workspace for GraphQL. */
async function owner(page, who, id) {
  const email = `${who}-${id}@example.com`;
  const workspace = await signUp(page, { name: `${who} Tester`, email, workspace: `${who} ${id}` });
  const session = await ok('mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }',
    { variables: { i: { email, password: PASSWORD } } });
  return { bearer: session.logIn.accessToken, workspace };
}

const createOffer = async (as, input) => (await ok(
  'mutation($i: OfferInput!) { createOffer(input: $i) { id } }', { ...as, variables: { i: input } },
)).createOffer.id;

const createPoint = async (as, input) => (await ok(
  'mutation($i: InteractionPointInput!) { createInteractionPoint(input: $i) { id } }', { ...as, variables: { i: input } },
)).createInteractionPoint.id;

const createRule = (as, input) => ok(
  'mutation($i: TreatmentRuleInput!) { createTreatmentRule(input: $i) { id } }', { ...as, variables: { i: input } },
);

const createContact = async (as, input) => (await ok(
  'mutation($i: ContactInput!) { createContact(input: $i) { id } }', { ...as, variables: { i: input } },
)).createContact.id;

const eventsOf = async (as, id) => (await ok(
  'query($id: ID!) { contact(id: $id) { events(first: 50) { nodes { kind properties } } } }', { ...as, variables: { id } },
)).contact.events.nodes;

test('a decision tried on a point is explained, and the learning counts it', {
  skip: NEEDS_SERVER,
  timeout: 180_000,
}, () => inBrowser('try-decision', async (page, context, problems) => {
  const id = stamp();
  const as = await owner(page, 'tina', id);
  const sent = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/graphql') && r.method() === 'POST') sent.push(r.postData() ?? '');
  });
  const always = await createOffer(as, {
    code: 'FREE-SHIP', name: 'Free shipping', channels: ['WEB'],
    value: { amount: '5.00', currencyCode: 'EUR' },
  });
  const cartOnly = await createOffer(as, {
    code: 'CART-10', name: 'Ten off the cart', channels: ['WEB'],
    value: { amount: '12.50', currencyCode: 'EUR' },
  });
  const pointId = await createPoint(as, { name: 'Home banner', channel: 'WEB', maxOffers: 2 });
  await createRule(as, { pointId, offerIds: [always] });
  await createRule(as, { pointId, offerIds: [cartOnly], eligibility: CART });
  const contactEmail = `vera-${id}@example.com`;
  const contactId = await createContact(as, { email: contactEmail, firstName: 'Vera' });

  await page.goto(`${BASE}/app/points/${encodeURIComponent(pointId)}`);
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.locator('[data-testid="page-title"]', { hasText: 'Home banner' }).waitFor();
  // Nothing shown here yet: each of the rules' offers at no presentation.
  const row = page.locator('[data-testid="learning-row"][data-code="FREE-SHIP"]');
  await row.locator('[data-testid="learning-presentations"]', { hasText: /^0$/ }).waitFor();
  assert.equal(await page.locator('[data-testid="learning-row"]').count(), 2);
  await page.waitForSelector('[data-testid="try-submit"]:not([disabled])');
  assert.match(await page.locator('[data-testid="try-hint"]').textContent(), /real decision: it is recorded/);

  // A context that is JSON but not an object is named next to its field, and not sent.
  await page.selectOption('[data-testid="try-identity-kind"]', 'email');
  await page.fill('[data-testid="try-identity"]', contactEmail);
  await page.fill('[data-testid="try-context"]', '["page", "/home"]');
  const before = sent.length;
  await page.click('[data-testid="try-submit"]');
  await page.locator('[data-testid="error-context"]', { hasText: /is not a JSON object/ }).waitFor();
  assert.equal(sent.slice(before).filter((b) => b.includes('decide(')).length, 0, 'nothing sent with a bad context');

  // An email the server refuses is named next to the identity.
  await page.fill('[data-testid="try-context"]', '{"page": "/home"}');
  await page.fill('[data-testid="try-identity"]', 'not an email');
  await page.click('[data-testid="try-submit"]');
  await page.locator('[data-testid="error-email"]').waitFor();
  assert.equal(await page.locator('[data-testid="error-context"]').count(), 0);

  // A real try: the always-eligible offer is shown and explained; the cart rule's
  // offer is excluded because its eligibility does not hold on the home page.
  await page.fill('[data-testid="try-identity"]', contactEmail);
  await page.click('[data-testid="try-submit"]');
  const result = page.locator('[data-testid="try-result"]');
  await result.waitFor();
  assert.equal(await page.locator('[data-testid="error-email"]').count(), 0);
  const mode = await page.locator('[data-testid="try-mode"]').getAttribute('data-mode');
  assert.ok(['LEARNED', 'EXPLORE', 'HOLDOUT'].includes(mode), mode);
  const shown = page.locator('[data-testid="try-offer"]');
  assert.equal(await shown.count(), 1);
  assert.equal(await shown.getAttribute('data-code'), 'FREE-SHIP');
  assert.equal(await shown.locator('[data-testid="try-offer-rank"]').textContent(), '1');
  const candidate = page.locator('[data-testid="explain-candidate"][data-code="FREE-SHIP"]');
  assert.equal(await candidate.getAttribute('data-chosen'), 'true');
  assert.notEqual((await candidate.locator('[data-testid="explain-reason"]').textContent()).trim(), '');
  assert.equal(await page.locator('[data-testid="explain-candidate"][data-code="CART-10"]').count(), 0);
  const excluded = page.locator('[data-testid="explain-excluded"]');
  assert.equal(await excluded.count(), 1);
  assert.equal(await excluded.locator('[data-testid="explain-excluded-reason"]').textContent(),
    "the rule's eligibility does not hold");
  assert.equal(await excluded.locator('[data-testid="explain-excluded-what"]').textContent(),
    'Every offer of the rule for CART-10', 'the excluded rule is named by its offers');
  await shot(page, '94-try-decision');

  // The learning now counts the presentation, drawn with its interval.
  await row.locator('[data-testid="learning-presentations"]', { hasText: /^1$/ }).waitFor();
  assert.equal(await row.locator('[data-testid="learning-responses"]').textContent(), '0');
  assert.equal(await row.locator('[data-testid="learning-share"]').textContent(), '100.0%');
  assert.match(await row.locator('[data-testid="learning-rate"]').textContent(), /^\d+\.\d% \(\d+\.\d%–\d+\.\d%\)$/);
  assert.equal(await page.locator('[data-testid="learning-chart"] [data-testid="learning-bar"]').count(), 2);
  // Nothing held out yet: no lift to tell.
  await page.locator('[data-testid="point-lift"] [data-testid="lift-not-enough"]').waitFor();

  // The try was real: it is on the contact's timeline.
  const kinds = (await eventsOf(as, contactId)).map((e) => e.kind);
  assert.ok(kinds.includes('offer_presented'), kinds.join(', '));
  assert.deepEqual(unexpected(problems), []);
}));

test('an agent offers the caller the next best offer and records that it was accepted', {
  skip: NEEDS_SERVER,
  timeout: 180_000,
}, () => inBrowser('call-center', async (page, context, problems) => {
  const id = stamp();
  const as = await owner(page, 'abe', id);
  const upgrade = await createOffer(as, {
    code: 'UPGRADE', name: 'Fibre upgrade', channels: ['PHONE'],
    value: { amount: '20.00', currencyCode: 'EUR' },
    creatives: [{ title: 'Twice the speed', body: 'Same price for a year.', link: 'https://isp.example.com/fibre' }],
  });
  // A web point first: the phone point must still be the one chosen.
  const web = await createOffer(as, { code: 'WEB-ONLY', name: 'Web only', channels: ['WEB'] });
  const webPoint = await createPoint(as, { name: 'Home banner', channel: 'WEB' });
  await createRule(as, { pointId: webPoint, offerIds: [web] });
  const phonePoint = await createPoint(as, { name: 'Retention script', channel: 'PHONE' });
  await createRule(as, { pointId: phonePoint, offerIds: [upgrade] });
  const callerEmail = `carla-${id}@example.com`;
  const callerId = await createContact(as, { email: callerEmail, firstName: 'Carla', lastName: 'Caller' });
  await createContact(as, { email: `other-${id}@example.com`, firstName: 'Otto' });

  await page.click('[data-testid="nav-call-center"]');
  await page.waitForURL(`${BASE}/app/call-center`);
  assert.equal(await page.locator('[data-testid="page-title"]').textContent(), 'Call center');
  await page.locator('[data-testid="cc-contact"]').nth(1).waitFor();
  await page.fill('[data-testid="cc-search"]', 'carla');
  const found = page.locator('[data-testid="cc-contact"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="cc-contact"]').length === 1);
  assert.equal(await found.getAttribute('data-email'), callerEmail);
  await found.locator('[data-testid="cc-pick"]').click();
  await page.locator('[data-testid="cc-caller"]', { hasText: 'Carla Caller' }).waitFor();
  await page.locator('[data-testid="cc-events-empty"]').waitFor();

  // The phone point comes first and is chosen; the web one is listed too.
  const point = page.locator('[data-testid="cc-point"]');
  await point.waitFor();
  assert.equal(await point.inputValue(), phonePoint);
  assert.deepEqual(await point.locator('option').evaluateAll((o) => o.map((x) => x.dataset.channel)), ['PHONE', 'WEB']);

  await page.click('[data-testid="cc-decide"]');
  const offer = page.locator('[data-testid="cc-offer"][data-code="UPGRADE"]');
  await offer.waitFor();
  assert.equal(await offer.locator('[data-testid="cc-creative-title"]').textContent(), 'Twice the speed');
  assert.equal(await offer.locator('[data-testid="cc-creative-body"]').textContent(), 'Same price for a year.');
  assert.deepEqual(await offer.locator('[data-testid="cc-respond"]').evaluateAll((b) => b.map((x) => x.dataset.outcome)),
    ['ACCEPTED', 'REJECTED', 'CLICKED', 'CONVERTED']);
  await page.locator('[data-testid="cc-event"][data-kind="offer_presented"]').waitFor();

  // One click records the acceptance: the buttons say so and the history shows it.
  await offer.locator('[data-testid="cc-respond"][data-outcome="ACCEPTED"]').click();
  await offer.locator('[data-testid="cc-outcome"]', { hasText: 'Recorded: Accepted' }).waitFor();
  assert.equal(await offer.locator('[data-testid="cc-respond"][data-outcome="ACCEPTED"]').isDisabled(), true);
  const responded = page.locator('[data-testid="cc-event"][data-kind="offer_responded"]');
  await responded.waitFor();
  assert.equal(await responded.locator('[data-testid="cc-event-kind"]').textContent(), 'Responded to an offer');
  await shot(page, '95-call-center');
  const events = await eventsOf(as, callerId);
  const response = events.find((e) => e.kind === 'offer_responded');
  assert.equal(response?.properties.outcome, 'ACCEPTED');
  const decisionId = await page.locator('[data-testid="cc-decision"]').getAttribute('data-decision');
  assert.equal(response.properties.learned, true);
  assert.ok(decisionId);

  // The point's learning counts the presentation and the response.
  await page.goto(`${BASE}/app/points/${encodeURIComponent(phonePoint)}`);
  await page.waitForSelector('body[data-hydrated="true"]');
  const row = page.locator('[data-testid="learning-row"][data-code="UPGRADE"]');
  await row.waitFor();
  assert.equal(await row.locator('[data-testid="learning-presentations"]').textContent(), '1');
  assert.equal(await row.locator('[data-testid="learning-responses"]').textContent(), '1');
  assert.deepEqual(unexpected(problems), []);
}));
