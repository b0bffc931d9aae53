// One workspace never shows another's: a user whose browser remembers a workspace
// that is not theirs (a shared computer, a pasted cookie, a tampered localStorage)
// lands back in their own workspace and sees nothing of the other one, on any page.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 node --test tests/browser/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, NEEDS_SERVER, graphql, inBrowser, shot, signUp, stamp, unexpected } from './support.mjs';

test("another workspace's ID remembered by the browser shows nothing of it", {
  skip: NEEDS_SERVER,
  timeout: 180_000,
}, async () => {
  const id = stamp();
  const agencyName = `Hidden Agency ${id}`;
  const clientName = `Hidden Client ${id}`;
  const agencyEmail = `hidden-${id}@example.com`;

  // An agency with a client, in one browser.
  let agencyId;
  let clientId;
  await inBrowser('tenancy-agency', async (page) => {
    agencyId = await signUp(page, { name: 'Hana Hidden', email: agencyEmail, workspace: agencyName, agency: true });
    await page.fill('[data-testid="create-client-name"]', clientName);
    await page.click('[data-testid="create-client-submit"]');
    const option = page.locator('[data-testid="workspace-option"][data-ws-kind="CLIENT"]', { hasText: clientName });
    await option.waitFor();
    clientId = await option.getAttribute('data-ws-id');
  });
  assert.ok(agencyId && clientId);

  // Someone else, in another browser, whose browser is made to remember each of them.
  await inBrowser('tenancy-outsider', async (page, context, problems) => {
    const ownName = `Outsider Ltd ${id}`;
    const ownId = await signUp(page, { name: 'Olaf Outsider', email: `outsider-${id}@example.com`, workspace: ownName });
    for (const [target, pathname] of [[agencyId, '/app/team'], [clientId, '/app/api-keys'], [agencyId, '/app']]) {
      await page.evaluate((ws) => {
        localStorage.setItem('parley.workspace', ws);
        document.cookie = `parley_ws=${encodeURIComponent(ws)}; Path=/; SameSite=Lax`;
      }, target);

      // The server-rendered page knows nothing of the other workspace either.
      const html = await (await page.goto(`${BASE}${pathname}`)).text();
      assert.ok(!html.includes(agencyName) && !html.includes(clientName), `server-rendered ${pathname}`);
      await page.waitForSelector('body[data-hydrated="true"]');

      // Back in their own workspace, which the browser now remembers instead.
      await page.waitForSelector(`[data-testid="current-workspace"][data-ws-id="${ownId}"]`);
      assert.equal(await page.evaluate(() => localStorage.getItem('parley.workspace')), ownId);
      if (pathname === '/app/team') {
        const rows = page.locator('[data-testid="member-row"]');
        await rows.first().waitFor();
        assert.equal(await rows.count(), 1, 'only their own membership');
        assert.ok(!(await rows.first().textContent()).includes(agencyEmail));
      }
      if (pathname === '/app/api-keys') {
        await page.locator('[data-testid="api-key-form"]').waitFor();
        assert.equal(await page.locator('[data-testid="api-key-row"]').count(), 0);
      }
      const text = await page.locator('body').textContent();
      assert.ok(!text.includes(agencyName), `${pathname} never names the agency`);
      assert.ok(!text.includes(clientName), `${pathname} never names the client`);
      assert.equal(await page.locator(`[data-ws-id="${agencyId}"], [data-ws-id="${clientId}"]`).count(), 0);
    }
    await shot(page, '20-outsider-kept-in-own-workspace');

    // The session's own token, used directly, is refused those workspaces too.
    const cookies = await context.cookies(BASE);
    const access = cookies.find((c) => c.name === 'parley_at')?.value;
    assert.ok(access, 'the session cookie holds the access token');
    for (const ws of [agencyId, clientId]) {
      const answer = await graphql('{ workspace { id name } }', { bearer: access, workspace: ws });
      assert.equal(answer.errors?.[0]?.extensions?.code, 'NOT_FOUND', JSON.stringify(answer));
    }
    assert.deepEqual(unexpected(problems), [], 'no errors in the browser console');
  });
});
