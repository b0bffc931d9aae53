// A marketing manager builds a budget in a real browser (a plan, a program, a budget
// line that refuses overspending, with a bad amount refused by its field), writes a
// purchase order against it and submits it; an approver, in their own browser, approves
// it from the inbox; the manager sees it approved and the budget's committed and
// remaining figures move. A stranger's workspace shows none of it.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 PARLEY_OUTBOX=/path/to/data/outbox node --test tests/browser/operations.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, NEEDS_OUTBOX, PASSWORD, inBrowser, logIn, ok, openHydrated, shot, signUp, stamp, unexpected,
  waitForEmailedToken,
} from './support.mjs';

/** The value of the option of `select` whose text holds `text`. */
async function optionValue(page, select, text) {
  const option = page.locator(`[data-testid="${select}"] option`, { hasText: text }).first();
  await option.waitFor({ state: 'attached' });
  return option.getAttribute('value');
}

/** The text of one figure of the budget row named `name`. */
const figure = (page, name, which) =>
  page.locator(`[data-testid="budget-row"][data-name="${name}"] [data-testid="budget-${which}"]`);

test('a budget, a purchase order approved by another member, and the figures that move', {
  skip: NEEDS_OUTBOX,
  timeout: 180_000,
}, () => inBrowser('operations', async (page, _context, problems) => {
  const id = stamp();
  const email = `olga-${id}@example.com`;
  const workspace = await signUp(page, { name: 'Olga Owner', email, workspace: `Ops ${id}` });

  // Through the API: a rule (every purchase order needs an approver) and an approver.
  const session = await ok('mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }',
    { variables: { i: { email, password: PASSWORD } } });
  const owner = { bearer: session.logIn.accessToken, workspace };
  await ok('mutation { createApprovalRule(input: {objectType: PURCHASE_ORDER, approverRole: APPROVER}) { id } }', owner);
  const approverEmail = `abe-${id}@example.com`;
  await ok('mutation($e: String!) { inviteMember(input: {email: $e, role: APPROVER}) { id } }',
    { ...owner, variables: { e: approverEmail } });
  const token = await waitForEmailedToken(approverEmail, '/accept-invitation');
  await ok('mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { accessToken } }',
    { variables: { i: { token, password: PASSWORD, name: 'Abe Approver' } } });

  // A plan and a program.
  await page.click('[data-testid="nav-budget"]');
  await page.waitForURL(`${BASE}/app/budget`);
  await page.locator('[data-testid="budget-no-plans"]').waitFor();
  await page.fill('[data-testid="plan-name"]', 'Plan 2027');
  await page.fill('[data-testid="plan-year"]', '2027');
  await page.click('[data-testid="plan-submit"]');
  await page.locator('[data-testid="budget-row"][data-kind="plan"]').waitFor();
  await page.fill('[data-testid="program-name"]', 'Brand');
  await page.click('[data-testid="program-submit"]');
  await page.locator('[data-testid="budget-row"][data-name="Brand"]').waitFor();

  // A budget line on the program: a bad amount is refused next to its field.
  await page.selectOption('[data-testid="line-holder"]', await optionValue(page, 'line-holder', 'Brand'));
  await page.fill('[data-testid="line-name"]', 'Media');
  await page.fill('[data-testid="line-amount"]', '12,5');
  await page.click('[data-testid="line-submit"]');
  await page.locator('[data-testid="error-amount.amount"]').waitFor();
  await page.fill('[data-testid="line-amount"]', '10000');
  await page.click('[data-testid="line-submit"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="budget-row"][data-name="Brand"] [data-testid="budget-budgeted"]')?.textContent === '10,000.00 EUR');
  assert.equal(await figure(page, 'Brand', 'remaining').textContent(), '10,000.00 EUR');
  await shot(page, '60-budget');

  // A purchase order against the line, submitted: it waits for the approver.
  await page.click('[data-testid="nav-spend"]');
  await page.waitForURL(`${BASE}/app/spend`);
  await page.fill('[data-testid="order-vendor"]', 'Acme Media');
  await page.selectOption('[data-testid="order-line"]', await optionValue(page, 'order-line', 'Media'));
  await page.fill('[data-testid="order-amount"]', '2500');
  await page.fill('[data-testid="order-description"]', 'Spring ads');
  await page.click('[data-testid="order-submit-form"]');
  const row = page.locator('[data-testid="order-row"]', { hasText: 'Acme Media' });
  await row.locator('[data-testid="order-submit"]').click();
  await page.locator('[data-testid="order-row"][data-status="submitted"]').waitFor();
  assert.equal(await row.locator('[data-testid="order-total"]').textContent(), '2,500.00 EUR');

  // The approver approves it from their inbox, in their own browser.
  await inBrowser('operations-approver', async (other, _c, otherProblems) => {
    await openHydrated(other, '/login');
    await logIn(other, approverEmail);
    await other.waitForURL(`${BASE}/app`);
    await other.click('[data-testid="nav-approvals"]');
    const request = other.locator('[data-testid="approval-row"]', { hasText: 'Acme Media' });
    await request.waitFor();
    assert.match(await request.textContent(), /2,500\.00 EUR/);
    await request.locator('[data-testid="approval-comment"]').fill('Go ahead');
    await request.locator('[data-testid="approval-approve"]').click();
    await other.locator('[data-testid="approvals-empty"]').waitFor();
    assert.deepEqual(unexpected(otherProblems), []);
  });

  // The manager sees the order approved and the budget committed.
  await page.click('[data-testid="nav-budget"]');
  await page.click('[data-testid="nav-spend"]');
  await page.locator('[data-testid="order-row"][data-status="approved"]').waitFor();
  await page.click('[data-testid="nav-budget"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="budget-row"][data-name="Brand"] [data-testid="budget-committed"]')?.textContent === '2,500.00 EUR');
  assert.equal(await figure(page, 'Brand', 'remaining').textContent(), '7,500.00 EUR');
  assert.equal(await figure(page, 'Plan 2027', 'committed').textContent(), '2,500.00 EUR');
  await shot(page, '61-budget-committed');

  // The periods of the program: the commitment lands in the year's first month (it
  // was approved before the year began), drawn in the chart.
  await page.locator('[data-testid="budget-row"][data-name="Brand"]').click();
  await page.locator('[data-testid="budget-periods"] h2', { hasText: 'Brand by period' }).waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="period-committed"] td')?.textContent === '2,500.00');
  assert.equal(await page.locator('[data-testid="period-committed"] td').count(), 12);
  assert.equal(await page.locator('[data-testid="period-chart"] rect').count(), 48);

  // What if 1,000 moved from a reserve on the plan to the program's line? Shown first,
  // then applied.
  const plans = await ok('{ plans { nodes { id } } }', owner);
  await ok('mutation($n: ID!) { createBudgetLine(input: {nodeId: $n, name: "Reserve", amount: {amount: "5000", currencyCode: "EUR"}}) { id } }',
    { ...owner, variables: { n: plans.plans.nodes[0].id } });
  await page.click('[data-testid="nav-spend"]');
  await page.click('[data-testid="nav-budget"]');
  await page.selectOption('[data-testid="move-from"]', await optionValue(page, 'move-from', 'Reserve'));
  await page.selectOption('[data-testid="move-to"]', await optionValue(page, 'move-to', 'Brand · Media'));
  await page.fill('[data-testid="move-amount"]', '1000');
  await page.click('[data-testid="move-add"]');
  await page.locator('[data-testid="move"]').waitFor();
  await page.click('[data-testid="move-preview"]');
  const media = page.locator('[data-testid="effect-line"]', { hasText: 'Media' });
  await media.waitFor();
  assert.equal(await media.locator('[data-testid="effect-amount-after"]').textContent(), '11,000.00 EUR');
  assert.equal(await figure(page, 'Brand', 'budgeted').textContent(), '10,000.00 EUR', 'a preview moves nothing');
  await shot(page, '62-budget-what-if');
  await page.click('[data-testid="move-apply"]');
  await page.locator('[data-testid="draft-outcome"]', { hasText: 'Applied' }).waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="budget-row"][data-name="Brand"] [data-testid="budget-budgeted"]')?.textContent === '11,000.00 EUR');

  // A forecast entered for February; January keeps reading what is committed.
  await page.locator('[data-testid="budget-row"][data-name="Brand"]').click();
  const forecast = page.locator('[data-testid="forecast-row"][data-name="Media"]');
  await forecast.locator('input').nth(1).fill('900');
  await forecast.locator('[data-testid="forecast-save"]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="period-forecast"] td')[1]?.textContent === '900.00');
  assert.equal(await page.locator('[data-testid="period-forecast"] td').first().textContent(), '2,500.00');
  await shot(page, '63-budget-forecast');
  assert.deepEqual(unexpected(problems), []);

  // Another workspace sees none of it.
  await inBrowser('operations-stranger', async (stranger) => {
    await signUp(stranger, { name: 'Sam Stranger', email: `sam-${id}@example.com`, workspace: `Other ${id}` });
    await stranger.click('[data-testid="nav-budget"]');
    await stranger.locator('[data-testid="budget-no-plans"]').waitFor();
    await stranger.click('[data-testid="nav-spend"]');
    await stranger.locator('[data-testid="orders-empty"]').waitFor();
    await stranger.click('[data-testid="nav-approvals"]');
    await stranger.locator('[data-testid="approvals-empty"]').waitFor();
  });
}));

test('a template built in the browser runs as a workflow on a board and a timeline', {
  skip: NEEDS_OUTBOX,
  timeout: 180_000,
}, () => inBrowser('workflows', async (page, _context, problems) => {
  const id = stamp();
  const email = `wendy-${id}@example.com`;
  const workspace = await signUp(page, { name: 'Wendy Owner', email, workspace: `Flow ${id}` });
  const session = await ok('mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }',
    { variables: { i: { email, password: PASSWORD } } });
  const owner = { bearer: session.logIn.accessToken, workspace };
  const plan = await ok('mutation { createPlan(input: {name: "P", fiscalYear: 2027, currencyCode: "EUR"}) { id } }', owner);
  const program = await ok('mutation($p: ID!) { createProgram(input: {planId: $p, name: "Brand"}) { id } }',
    { ...owner, variables: { p: plan.createPlan.id } });
  await ok('mutation($p: ID!) { createProject(input: {programId: $p, name: "Launch", startsOn: "2027-03-01"}) { id } }',
    { ...owner, variables: { p: program.createProgram.id } });
  await ok('mutation($p: ID!) { createProject(input: {programId: $p, name: "Retail week", startsOn: "2027-09-06", endsOn: "2027-09-12", work: {status: DONE, tags: ["retail"]}}) { id } }',
    { ...owner, variables: { p: program.createProgram.id } });

  // The plan's calendar: both projects as bars on the year; as a list, filtered.
  await page.click('[data-testid="nav-calendar"]');
  await page.waitForURL(`${BASE}/app/calendar`);
  await page.locator('[data-testid="calendar-bar"][data-name="Retail week"][data-status="done"]').waitFor();
  assert.equal(await page.locator('[data-testid="calendar-bar"]').count(), 2);
  await shot(page, '64-calendar');
  await page.click('[data-testid="calendar-view-list"]');
  await page.locator('[data-testid="calendar-row"][data-name="Launch"]').waitFor();
  await page.fill('[data-testid="calendar-tag"]', 'retail');
  await page.locator('[data-testid="calendar-tag"]').press('Tab');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="calendar-row"]').length === 1);
  assert.equal(await page.locator('[data-testid="calendar-row"]').getAttribute('data-name'), 'Retail week');
  await page.selectOption('[data-testid="calendar-status"]', 'ACTIVE');
  await page.locator('[data-testid="calendar-empty"]').waitFor();

  await page.click('[data-testid="nav-workflows"]');
  await page.waitForURL(`${BASE}/app/workflows`);
  await page.locator('[data-testid="workflows-empty"]').waitFor();

  // A template of two tasks, the second waiting for the first; a cycle first, refused.
  await page.fill('[data-testid="template-name"]', 'Launch steps');
  await page.click('[data-testid="template-add-task"]');
  const rows = page.locator('[data-testid="template-task"]');
  await rows.nth(0).locator('[data-testid="template-task-key"]').fill('brief');
  await rows.nth(0).locator('[data-testid="template-task-name"]').fill('Write the brief');
  await rows.nth(0).locator('[data-testid="template-task-days"]').fill('2');
  await rows.nth(0).locator('[data-testid="template-task-depends"]').fill('review');
  await rows.nth(1).locator('[data-testid="template-task-key"]').fill('review');
  await rows.nth(1).locator('[data-testid="template-task-name"]').fill('Review it');
  await rows.nth(1).locator('[data-testid="template-task-depends"]').fill('brief');
  await rows.nth(1).locator('[data-testid="template-task-approval"]').check();
  await page.click('[data-testid="template-submit"]');
  await page.locator('[data-testid="template-form"] .error-banner, [data-testid="template-form"] [role="alert"]', { hasText: 'cycle' }).first().waitFor();
  await rows.nth(0).locator('[data-testid="template-task-depends"]').fill('');
  await page.click('[data-testid="template-submit"]');
  await page.locator('[data-testid="workflow-template"] option', { hasText: 'Launch steps' }).waitFor({ state: 'attached' });

  await page.selectOption('[data-testid="workflow-template"]', { label: 'Launch steps · 2 tasks' });
  await page.click('[data-testid="workflow-start"]');
  const board = page.locator('[data-testid="board"]');
  await board.waitFor();
  await board.locator('[data-testid="column-ready"] [data-testid="task-card"][data-name="Write the brief"]').waitFor();
  await board.locator('[data-testid="column-waiting"] [data-testid="task-card"][data-name="Review it"]').waitFor();
  await board.locator('[data-testid="task-card"][data-name="Write the brief"] [data-testid="task-complete"]').click();
  await board.locator('[data-testid="column-done"] [data-testid="task-card"][data-name="Write the brief"]').waitFor();
  await board.locator('[data-testid="column-ready"] [data-testid="task-card"][data-name="Review it"]').waitFor();
  assert.match(await board.locator('[data-testid="task-card"][data-name="Review it"]').textContent(), /2027-03-03 → 2027-03-04/);

  // The review is given to the owner and commented on, on its card.
  const review = board.locator('[data-testid="task-card"][data-name="Review it"]');
  await review.locator('[data-testid="task-assignee"] option', { hasText: 'Wendy Owner' }).waitFor({ state: 'attached' });
  await review.locator('[data-testid="task-assignee"]').selectOption({ label: 'Wendy Owner' });
  await page.waitForFunction(() => {
    const select = document.querySelector('[data-testid="task-card"][data-name="Review it"] [data-testid="task-assignee"]');
    return select && select.selectedOptions[0]?.textContent === 'Wendy Owner';
  });
  await review.locator('[data-testid="task-comments"] summary').click();
  await review.locator('[data-testid="task-comment-text"]').fill('Brief is in the shared drive');
  await review.locator('[data-testid="task-comment-submit"]').click();
  await page.locator('[data-testid="task-comment"]', { hasText: 'Brief is in the shared drive' }).waitFor({ state: 'attached' });
  assert.equal(await review.locator('[data-testid="task-comments"] summary').textContent(), '1 comment');
  const tasks = await ok('query { workflows { nodes { tasks { name assigneeId comments { body } } } } }', owner);
  const reviewed = tasks.workflows.nodes[0].tasks.find((t) => t.name === 'Review it');
  assert.ok(reviewed.assigneeId, 'assigned');
  assert.deepEqual(reviewed.comments, [{ body: 'Brief is in the shared drive' }]);
  await shot(page, '62-workflow-board');

  await page.click('[data-testid="view-timeline"]');
  await page.locator('[data-testid="timeline-task"]').nth(1).waitFor();
  assert.equal(await page.locator('[data-testid="timeline-task"]').count(), 2);
  await shot(page, '63-workflow-timeline');
  assert.deepEqual(unexpected(problems), []);
}));
