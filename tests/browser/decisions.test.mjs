// The decisioning catalogue in a real browser: a marketer adds an offer with limits (a
// bad code, attributes that are not JSON and a maximum per contact without its window
// named next to their fields), reads the limits on its page, edits it into a second
// version that keeps them, sets up an interaction point falling back on it, tunes how
// the point learns and adds a treatment rule with an eligibility expression (text that
// is not JSON refused before anything is sent), edits a rule's weight, deletes a rule
// once confirmed (cancelling keeps it) and tries a decision that names the excluded
// rule by its offers. The workspace's offer cap is set in the contact policy form (a
// maximum without its window named next to the window). Retiring the fallback offer is
// refused in a banner; another workspace finds none of it.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 node --test tests/browser/decisions.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, NEEDS_SERVER, PASSWORD, inBrowser, ok, shot, signUp, stamp, unexpected,
} from './support.mjs';

const ELIGIBILITY = { attribute: 'context.page', op: 'eq', value: '/cart' };

test('an offer versioned, a point falling back on it, a rule with an eligibility expression', {
  skip: NEEDS_SERVER,
  timeout: 180_000,
}, () => inBrowser('decisions', async (page, context, problems) => {
  const id = stamp();
  const email = `dora-${id}@example.com`;
  const workspace = await signUp(page, { name: 'Dora Decider', email, workspace: `Deciders ${id}` });
  const session = await ok('mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }',
    { variables: { i: { email, password: PASSWORD } } });
  const owner = { bearer: session.logIn.accessToken, workspace };
  // Every GraphQL request the page sends, to tell what was (not) sent.
  const sent = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/graphql') && r.method() === 'POST') sent.push(r.postData() ?? '');
  });

  // The catalogue starts empty; a new offer's bad code and unreadable attributes are
  // each named next to their field.
  await page.click('[data-testid="nav-offers"]');
  await page.waitForURL(`${BASE}/app/offers`);
  assert.equal(await page.locator('[data-testid="page-title"]').textContent(), 'Offers');
  await page.locator('[data-testid="offers-empty"]').waitFor();
  await page.waitForSelector('[data-testid="offer-submit"]:not([disabled])');
  await page.fill('[data-testid="offer-code"]', 'cart 10%!');
  await page.fill('[data-testid="offer-name"]', 'Ten off the cart');
  await page.check('[data-testid="offer-channel"][value="WEB"]');
  await page.check('[data-testid="offer-channel"][value="EMAIL"]');
  await page.fill('[data-testid="offer-value-amount"]', '12.50');
  await page.fill('[data-testid="offer-value-currency"]', 'EUR');
  await page.fill('[data-testid="offer-cost-amount"]', '0.10');
  await page.click('[data-testid="creative-add"]');
  await page.click('[data-testid="creative-add"]');
  assert.equal(await page.locator('[data-testid="creative-row"]').count(), 2);
  await page.locator('[data-testid="creative-remove"]').nth(1).click();
  assert.equal(await page.locator('[data-testid="creative-row"]').count(), 1);
  await page.fill('[data-testid="creative-title"]', '10% off your cart');
  await page.fill('[data-testid="creative-body"]', 'Today only.');
  await page.fill('[data-testid="creative-link"]', 'https://shop.example.com/cart');
  await page.fill('[data-testid="offer-attributes"]', '{"tier": gold}');
  const before = sent.length;
  await page.click('[data-testid="offer-submit"]');
  await page.locator('[data-testid="error-attributes"]', { hasText: /not valid JSON/ }).waitFor();
  assert.equal(sent.slice(before).filter((b) => b.includes('createOffer')).length, 0, 'nothing sent with bad JSON');
  await page.fill('[data-testid="offer-attributes"]', '{"tier": "gold"}');
  await page.click('[data-testid="offer-submit"]');
  await page.locator('[data-testid="error-code"]').waitFor();
  assert.equal(await page.locator('[data-testid="error-attributes"]').count(), 0);
  assert.equal(await page.locator('[data-testid="offer-code"]').getAttribute('aria-invalid'), 'true');
  await shot(page, '90-offer-bad-code');
  // A maximum per contact without its window: the server names the window.
  await page.fill('[data-testid="offer-code"]', 'cart-10');
  await page.fill('[data-testid="offer-max-per-contact"]', '2');
  await page.click('[data-testid="offer-submit"]');
  await page.locator('[data-testid="error-maxPerContactDays"]', { hasText: /required/ }).waitFor();
  assert.equal(await page.locator('[data-testid="error-code"]').count(), 0);
  await page.fill('[data-testid="offer-max-per-contact-days"]', '7');
  await page.fill('[data-testid="offer-capacity"]', '1000');
  await page.click('[data-testid="offer-submit"]');
  await page.waitForURL(/\/app\/offers\/[^/]+$/);
  const offerUrl = page.url();
  const offerId = decodeURIComponent(offerUrl.split('/').pop());
  await page.locator('[data-testid="page-title"]', { hasText: 'CART-10 · Ten off the cart' }).waitFor();
  assert.equal(await page.locator('[data-testid="offer-version"]').textContent(), 'Version 1');
  const LIMITS = 'At most 2 per contact in 7 days · Capacity: 1,000 presentations';
  assert.equal(await page.locator('[data-testid="offer-limits"]').textContent(), LIMITS);
  const created = (await ok('query($id: ID!) { offer(id: $id) { code status channels value { amount currencyCode } cost { amount } creatives { title link } attributes maxPerContact maxPerContactDays capacity } }',
    { ...owner, variables: { id: offerId } })).offer;
  assert.equal(created.code, 'CART-10');
  assert.equal(created.status, 'ACTIVE');
  assert.deepEqual([...created.channels].sort(), ['EMAIL', 'WEB']);
  assert.deepEqual(created.value, { amount: '12.50', currencyCode: 'EUR' });
  assert.equal(Number(created.cost.amount), 0.1);
  assert.deepEqual(created.creatives, [{ title: '10% off your cart', link: 'https://shop.example.com/cart' }]);
  assert.deepEqual(created.attributes, { tier: 'gold' });
  assert.deepEqual([created.maxPerContact, created.maxPerContactDays, created.capacity], [2, 7, 1000]);

  // Editing makes a second version; both are listed, the newest first.
  await page.waitForSelector('[data-testid="offer-edit"] [data-testid="offer-submit"]:not([disabled])');
  assert.equal(await page.inputValue('[data-testid="offer-name"]'), 'Ten off the cart');
  assert.equal(await page.inputValue('[data-testid="offer-max-per-contact"]'), '2');
  assert.equal(await page.inputValue('[data-testid="offer-max-per-contact-days"]'), '7');
  assert.equal(await page.inputValue('[data-testid="offer-capacity"]'), '1000');
  await page.fill('[data-testid="offer-name"]', 'Ten percent off the cart');
  await page.click('[data-testid="offer-submit"]');
  await page.locator('[data-testid="offer-version"]', { hasText: /^Version 2$/ }).waitFor();
  const versions = page.locator('[data-testid="offer-version-row"]');
  assert.equal(await versions.count(), 2);
  assert.equal(await versions.nth(0).getAttribute('data-version'), '2');
  assert.equal(await versions.nth(1).getAttribute('data-version'), '1');
  assert.match(await versions.nth(0).textContent(), /name/);
  await page.locator('[data-testid="page-title"]', { hasText: 'Ten percent off the cart' }).waitFor();
  assert.equal(await page.locator('[data-testid="offer-limits"]').textContent(), LIMITS);
  const edited = (await ok('query($id: ID!) { offer(id: $id) { version name versions { version } maxPerContact maxPerContactDays capacity } }',
    { ...owner, variables: { id: offerId } })).offer;
  assert.equal(edited.version, 2);
  assert.deepEqual([edited.maxPerContact, edited.maxPerContactDays, edited.capacity], [2, 7, 1000], 'editing keeps the limits');
  assert.equal(edited.name, 'Ten percent off the cart');
  assert.deepEqual(edited.versions.map((v) => v.version), [2, 1]);
  await shot(page, '91-offer-versions');

  // The catalogue lists it at version 2, and filters by status.
  await page.click('[data-testid="nav-offers"]');
  const row = page.locator('[data-testid="offer-row"][data-code="CART-10"]');
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'ACTIVE');
  assert.equal(await row.locator('[data-testid="offer-row-version"]').textContent(), 'v2');
  assert.equal(await row.locator('[data-testid="offer-value"]').textContent(), '12.50 EUR');
  assert.deepEqual((await row.locator('[data-testid="offer-channels"]').textContent()).split(', ').sort(), ['Email', 'Web']);
  await page.selectOption('[data-testid="offers-status"]', 'RETIRED');
  await page.locator('[data-testid="offers-empty"]').waitFor();
  await page.selectOption('[data-testid="offers-status"]', 'ACTIVE');
  await row.waitFor();

  // An interaction point on the web, falling back on the offer.
  await page.click('[data-testid="nav-points"]');
  await page.waitForURL(`${BASE}/app/points`);
  await page.locator('[data-testid="points-empty"]').waitFor();
  await page.waitForSelector('[data-testid="point-submit"]:not([disabled])');
  await page.fill('[data-testid="point-name"]', 'Checkout banner');
  await page.selectOption('[data-testid="point-channel-select"]', 'WEB');
  await page.fill('[data-testid="point-max-offers"]', '2');
  await page.selectOption('[data-testid="point-fallback"]', offerId);
  await page.fill('[data-testid="point-window"]', 'PT36H');
  await page.click('[data-testid="point-submit"]');
  await page.waitForURL(/\/app\/points\/[^/]+$/);
  const pointUrl = page.url();
  const pointId = decodeURIComponent(pointUrl.split('/').pop());
  await page.locator('[data-testid="page-title"]', { hasText: 'Checkout banner' }).waitFor();
  assert.match(await page.locator('[data-testid="point-summary"]').textContent(), /Web · up to 2 offer\(s\) · fallback CART-10 · responses count for PT36H/);

  // Learning: a tenth held out.
  await page.waitForSelector('[data-testid="learning-submit"]:not([disabled])');
  await page.fill('[data-testid="learning-holdout"]', '10');
  await page.fill('[data-testid="learning-exploration"]', '5');
  await page.check('[data-testid="learning-by-segment"]');
  await page.click('[data-testid="learning-submit"]');
  await page.locator('[data-testid="learning-current"]', { hasText: 'Holdout 10% · exploration 5% · each segment learnt apart' }).waitFor();

  // A rule: text that is not JSON is named next to the field and not sent; a valid
  // expression is saved and listed.
  await page.locator('[data-testid="rules-empty"]').waitFor();
  await page.check('[data-testid="rule-offer"][data-code="CART-10"]');
  await page.fill('[data-testid="rule-eligibility-input"]', '{"attribute": "context.page", "op": "eq"');
  const beforeRule = sent.length;
  await page.click('[data-testid="rule-submit"]');
  await page.locator('[data-testid="error-eligibility"]', { hasText: /not valid JSON/ }).waitFor();
  assert.equal(sent.slice(beforeRule).filter((b) => b.includes('createTreatmentRule')).length, 0, 'nothing sent with bad JSON');
  // An expression the server refuses deeper down is named under the same field.
  await page.fill('[data-testid="rule-eligibility-input"]', JSON.stringify({ all: [{ ...ELIGIBILITY, op: 'resembles' }] }));
  await page.click('[data-testid="rule-submit"]');
  await page.locator('[data-testid="error-eligibility"]', { hasText: /^eligibility\.all\[0\]\.op is one of eq/ }).waitFor();
  await page.fill('[data-testid="rule-eligibility-input"]', JSON.stringify(ELIGIBILITY));
  await page.fill('[data-testid="rule-weight-input"]', '2');
  await page.click('[data-testid="rule-submit"]');
  const rule = page.locator('[data-testid="rule-row"]');
  await rule.waitFor();
  assert.equal(await rule.count(), 1);
  assert.equal(await rule.locator('[data-testid="rule-offers"]').textContent(), 'CART-10');
  assert.equal(await rule.locator('[data-testid="rule-segment"]').textContent(), 'Everyone');
  assert.equal(await rule.locator('[data-testid="rule-weight"]').textContent(), '2');
  assert.deepEqual(JSON.parse(await rule.locator('[data-testid="rule-eligibility"]').textContent()), ELIGIBILITY);
  await shot(page, '92-point');
  const point = (await ok('query($id: ID!) { interactionPoint(id: $id) { channel maxOffers fallbackOfferId responseWindow holdoutPercent explorationPercent rules { offerIds segmentId weight eligibility } } }',
    { ...owner, variables: { id: pointId } })).interactionPoint;
  assert.equal(point.channel, 'WEB');
  assert.equal(point.maxOffers, 2);
  assert.equal(point.fallbackOfferId, offerId);
  assert.equal(point.responseWindow, 'PT36H');
  assert.equal(point.holdoutPercent, 10);
  assert.equal(point.explorationPercent, 5);
  assert.equal(point.rules.length, 1);
  assert.deepEqual(point.rules[0].offerIds, [offerId]);
  assert.equal(point.rules[0].segmentId, null);
  assert.equal(point.rules[0].weight, 2);
  assert.deepEqual(point.rules[0].eligibility, ELIGIBILITY);

  // A second rule, edited: the form starts from the rule, a weight the server refuses is
  // named under the weight, and the new weight is listed and stored.
  await page.check('[data-testid="rule-offer"][data-code="CART-10"]');
  await page.click('[data-testid="rule-submit"]');
  const second = page.locator('[data-testid="rule-row"]').nth(1);
  await second.waitFor();
  const secondId = await second.getAttribute('data-id');
  assert.equal(await second.locator('[data-testid="rule-weight"]').textContent(), '1');
  await second.locator('[data-testid="rule-edit"]').click();
  const editForm = page.locator('[data-testid="rule-edit-form"]');
  await editForm.waitFor();
  assert.equal(await editForm.locator('[data-testid="rule-weight-input"]').inputValue(), '1');
  assert.equal(await editForm.locator('[data-testid="rule-offer"][data-code="CART-10"]').isChecked(), true);
  assert.equal(await editForm.locator('[data-testid="rule-eligibility-input"]').inputValue(), '');
  await editForm.locator('[data-testid="rule-weight-input"]').fill('5000');
  await editForm.locator('[data-testid="rule-save"]').click();
  await editForm.locator('[data-testid="error-weight"]', { hasText: /at most 1000/ }).waitFor();
  await editForm.locator('[data-testid="rule-weight-input"]').fill('3.5');
  await editForm.locator('[data-testid="rule-save"]').click();
  await page.locator(`[data-testid="rule-row"][data-id="${secondId}"] [data-testid="rule-weight"]`, { hasText: /^3\.5$/ }).waitFor();
  await editForm.waitFor({ state: 'detached' });
  const weights = (await ok('query($id: ID!) { interactionPoint(id: $id) { rules { id weight offerIds } } }',
    { ...owner, variables: { id: pointId } })).interactionPoint.rules;
  assert.deepEqual(weights.find((r) => r.id === secondId), { id: secondId, weight: 3.5, offerIds: [offerId] });
  assert.equal(weights.length, 2);

  // Deleting asks first: cancelling keeps the rule, confirming removes it.
  const secondRow = page.locator(`[data-testid="rule-row"][data-id="${secondId}"]`);
  await secondRow.locator('[data-testid="rule-delete"]').click();
  await secondRow.locator('[data-testid="rule-delete-confirmation"]').waitFor();
  await secondRow.locator('[data-testid="rule-delete-cancel"]').click();
  await secondRow.locator('[data-testid="rule-delete"]').waitFor();
  assert.equal(await page.locator('[data-testid="rule-row"]').count(), 2);
  assert.equal((await ok('query($id: ID!) { interactionPoint(id: $id) { rules { id } } }',
    { ...owner, variables: { id: pointId } })).interactionPoint.rules.length, 2, 'cancelling deletes nothing');
  await secondRow.locator('[data-testid="rule-delete"]').click();
  await secondRow.locator('[data-testid="rule-delete-confirm"]').click();
  await secondRow.waitFor({ state: 'detached' });
  assert.equal(await page.locator('[data-testid="rule-row"]').count(), 1);
  const left = (await ok('query($id: ID!) { interactionPoint(id: $id) { rules { eligibility } } }',
    { ...owner, variables: { id: pointId } })).interactionPoint.rules;
  assert.deepEqual(left.map((r) => r.eligibility), [ELIGIBILITY]);

  // A decision tried without the page in its context: the rule is excluded, named by
  // its offers rather than by an ID.
  await page.selectOption('[data-testid="try-identity-kind"]', 'anonymousId');
  await page.fill('[data-testid="try-identity"]', `visitor-${id}`);
  await page.click('[data-testid="try-submit"]');
  const excludedRule = page.locator('[data-testid="explain-excluded"]', { hasText: /eligibility does not hold/ });
  await excludedRule.waitFor();
  assert.equal(await excludedRule.locator('[data-testid="explain-excluded-what"]').textContent(), 'Every offer of the rule for CART-10');
  await page.click('[data-testid="nav-points"]');
  const pointRow = page.locator('[data-testid="point-row"][data-name="Checkout banner"]');
  await pointRow.waitFor();
  assert.equal(await pointRow.locator('[data-testid="point-rules"]').textContent(), '1');
  assert.equal(await pointRow.locator('[data-testid="point-channel"]').textContent(), 'Web');

  // The fallback offer cannot be retired: the refusal shows, the offer stays active.
  await page.goto(offerUrl);
  await page.waitForSelector('[data-testid="offer-retire"]:not([disabled])');
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.click('[data-testid="offer-retire"]');
  await page.locator('[data-testid="retire-error"]', { hasText: /fallback of the point "Checkout banner"/ }).waitFor();
  await shot(page, '93-offer-retire-refused');
  const still = (await ok('query($id: ID!) { offer(id: $id) { status } }', { ...owner, variables: { id: offerId } })).offer;
  assert.equal(still.status, 'ACTIVE');

  // The workspace's offer cap, in the contact policy form: a maximum without its window
  // is named under the window; once saved it is stored and shown again.
  await page.goto(`${BASE}/app/sending`);
  await page.waitForSelector('[data-testid="policy-submit"]:not([disabled])');
  assert.equal(await page.inputValue('[data-testid="policy-offer-max"]'), '');
  await page.fill('[data-testid="policy-offer-max"]', '3');
  await page.click('[data-testid="policy-submit"]');
  await page.locator('[data-testid="error-offerWindowDays"]', { hasText: /required/ }).waitFor();
  await page.fill('[data-testid="policy-offer-days"]', '7');
  await page.click('[data-testid="policy-submit"]');
  await page.locator('[data-testid="policy-saved"]').waitFor();
  const policy = (await ok('{ contactPolicy { offerMax offerWindowDays emailMax allMax quietStart } }', owner)).contactPolicy;
  assert.deepEqual(policy, { offerMax: 3, offerWindowDays: 7, emailMax: null, allMax: null, quietStart: null });
  await page.reload();
  await page.waitForSelector('[data-testid="policy-submit"]:not([disabled])');
  assert.equal(await page.inputValue('[data-testid="policy-offer-max"]'), '3');
  assert.equal(await page.inputValue('[data-testid="policy-offer-days"]'), '7');
  await shot(page, '95-contact-policy');

  // An approval rule on offers: a costly new offer waits, and its page says so.
  await ok('mutation($i: CreateApprovalRuleInput!) { createApprovalRule(input: $i) { id } }', {
    ...owner,
    variables: { i: { objectType: 'OFFER', approverRole: 'APPROVER', minAmount: { amount: '5.00', currencyCode: 'EUR' } } },
  });
  const big = (await ok('mutation($i: OfferInput!) { createOffer(input: $i) { id status } }', {
    ...owner,
    variables: { i: { code: 'BIG', name: 'Big gift', channels: ['WEB'], cost: { amount: '9.00', currencyCode: 'EUR' } } },
  })).createOffer;
  assert.equal(big.status, 'IN_APPROVAL');
  await page.goto(`${BASE}/app/offers/${big.id}`);
  await page.locator('[data-testid="offer-status"][data-status="IN_APPROVAL"]', { hasText: 'In approval' }).waitFor();
  await page.locator('[data-testid="offer-approval"]', { hasText: /Waiting for approval/ }).waitFor();
  assert.deepEqual(unexpected(problems).filter((p) => !/status of 409/.test(p)), []);

  // Another workspace cannot open either, not even by its address.
  await inBrowser('decisions-stranger', async (stranger) => {
    await signUp(stranger, { name: 'Sam Stranger', email: `sam-${id}@example.com`, workspace: `Other ${id}` });
    await stranger.click('[data-testid="nav-offers"]');
    await stranger.locator('[data-testid="offers-empty"]').waitFor();
    await stranger.goto(offerUrl);
    await stranger.locator('[data-testid="load-error"]', { hasText: /not found/i }).waitFor();
    await stranger.goto(pointUrl);
    await stranger.locator('[data-testid="load-error"]', { hasText: /not found/i }).waitFor();
  });
}));
