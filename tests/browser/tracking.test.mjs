// The tracking snippet on a shop's page in a real browser: the page view, a marked
// button's click, a form submit and a custom event are sent with the workspace's
// publishable key, and once the visitor identifies they are all in the contact's history.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 node --test tests/browser/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, NEEDS_SERVER, PASSWORD, graphql, inBrowser, stamp, unexpected } from './support.mjs';

test('the snippet records a visit and stitches it to the contact who identifies', {
  skip: NEEDS_SERVER,
  timeout: 120_000,
}, () => inBrowser('tracking', async (page, _context, problems) => {
  const id = stamp();
  const email = `owner-${id}@example.com`;
  await graphql('mutation($i: SignUpInput!) { signUp(input: $i) { email } }', {
    variables: { i: { email, password: PASSWORD, name: 'Owner', workspaceName: `Shop ${id}` } },
  });
  const session = await graphql('mutation($i: LogInInput!) { logIn(input: $i) { accessToken workspace { id } } }', {
    variables: { i: { email, password: PASSWORD } },
  });
  const bearer = session.data.logIn.accessToken;
  const workspace = session.data.logIn.workspace.id;
  const issued = await graphql('mutation { rotateTrackingKey { key } }', { bearer, workspace });
  const key = issued.data.rotateTrackingKey.key;

  // The shop's page, with the snippet as a customer would paste it.
  await page.route(`${BASE}/demo-shop/**`, (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><html><head><title>Demo shop</title></head><body>
      <h1>Shoes</h1>
      <button data-parley-track="add-to-cart" id="buy">Add to cart</button>
      <form id="newsletter" onsubmit="event.preventDefault()"><input name="email"><button id="join">Join</button></form>
      <script async src="${BASE}/t/snippet.js" data-key="${key}"></script>
    </body></html>`,
  }));
  await page.goto(`${BASE}/demo-shop/shoes?utm_source=newsletter&utm_campaign=winter`);
  await page.waitForFunction(() => window.parley !== undefined);
  await page.click('#buy');
  await page.click('#join');
  const buyer = `buyer-${id}@example.com`;
  await page.evaluate((address) => {
    window.parley.track('viewed_size_guide', { size: 42 });
    window.parley.identify({ email: address });
    window.parley.flush();
  }, buyer);

  // Everything the visitor did lands in the contact's history.
  const query = 'query($e: String!) { contactByEmail(email: $e) { events(first: 20) { nodes { kind properties } } } }';
  let kinds = [];
  let nodes = [];
  for (let tries = 0; tries < 50; tries++) {
    const found = await graphql(query, { bearer, workspace, variables: { e: buyer } });
    nodes = found.data?.contactByEmail?.events?.nodes ?? [];
    kinds = nodes.map((n) => n.kind).sort();
    if (kinds.length >= 5) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(kinds, ['click', 'form_submit', 'identify', 'page_view', 'viewed_size_guide']);
  const view = nodes.find((n) => n.kind === 'page_view');
  assert.equal(view.properties.path, '/demo-shop/shoes');
  assert.equal(view.properties.utm_source, 'newsletter');
  assert.equal(view.properties.title, 'Demo shop');
  assert.equal(nodes.find((n) => n.kind === 'click').properties.name, 'add-to-cart');
  assert.equal(nodes.find((n) => n.kind === 'form_submit').properties.form, 'newsletter');
  assert.deepEqual(unexpected(problems), []);
}));
