// A developer opens GraphiQL at /graphql on a machine that reaches no other host: the
// editor renders from Parley's own files, loads the schema, and the browser reports no
// problem (no missing React, no script refused by the Content-Security-Policy).
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 node --test tests/browser/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, NEEDS_SERVER, inBrowser, shot } from './support.mjs';

test('GraphiQL renders offline from same-origin assets', { skip: NEEDS_SERVER, timeout: 120_000 }, () =>
  inBrowser('graphiql', async (page, context, problems) => {
    const origin = new URL(BASE).origin;
    const elsewhere = [];
    // Every other host is unreachable, as on an offline machine.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`) || url.startsWith('data:')) return route.continue();
      elsewhere.push(url);
      return route.abort('internetdisconnected');
    });
    const introspection = page.waitForResponse(
      (r) => r.url() === `${origin}/graphql` && r.request().method() === 'POST',
    );
    await page.goto(`${BASE}/graphql`);
    await page.locator('.graphiql-container').waitFor();
    const schema = await introspection;
    assert.equal(schema.status(), 200, 'GraphiQL loaded the schema');
    assert.ok((await schema.text()).includes('__schema'), 'the first request is the introspection');
    await page.locator('.graphiql-query-editor').first().waitFor();
    await shot(page, 'graphiql');
    assert.deepEqual(elsewhere, [], 'GraphiQL asked no other host for anything');
    assert.deepEqual(problems, [], 'the browser reported no problem');
  }));
