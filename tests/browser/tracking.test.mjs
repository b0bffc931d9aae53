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

test('the snippet fills a marked slot with the decided offers and reports the click', {
  skip: NEEDS_SERVER,
  timeout: 120_000,
}, () => inBrowser('tracking-slot', async (page, _context, problems) => {
  const id = stamp();
  const email = `owner-${id}@example.com`;
  await graphql('mutation($i: SignUpInput!) { signUp(input: $i) { email } }', {
    variables: { i: { email, password: PASSWORD, name: 'Owner', workspaceName: `Deals ${id}` } },
  });
  const session = await graphql('mutation($i: LogInInput!) { logIn(input: $i) { accessToken workspace { id } } }', {
    variables: { i: { email, password: PASSWORD } },
  });
  const bearer = session.data.logIn.accessToken;
  const workspace = session.data.logIn.workspace.id;
  const call = async (query, variables) => {
    const res = await graphql(query, { bearer, workspace, variables });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    return res.data;
  };
  const key = (await call('mutation { rotateTrackingKey { key } }')).rotateTrackingKey.key;
  // A title that looks like markup: the slot must show it as text.
  const offer = (await call('mutation($i: OfferInput!) { createOffer(input: $i) { id } }', {
    i: { code: 'BOOTS', name: 'Boots', channels: ['WEB'],
         creatives: [{ title: 'Winter boots <img src=x onerror="window.injected=1">', body: '20 % off today',
                       link: `${BASE}/demo-shop/boots` }] },
  })).createOffer.id;
  const point = (await call('mutation($i: InteractionPointInput!) { createInteractionPoint(input: $i) { id } }', {
    i: { name: 'Home banner', channel: 'WEB', maxOffers: 2 },
  })).createInteractionPoint.id;
  await call('mutation($i: TreatmentRuleInput!) { createTreatmentRule(input: $i) { id } }', {
    i: { pointId: point, offerIds: [offer],
         eligibility: { attribute: 'context.page', op: 'eq', value: '/demo-shop/home' } },
  });

  await page.route(`${BASE}/demo-shop/**`, (route) => route.fulfill({
    contentType: 'text/html',
    body: route.request().url().endsWith('/boots')
      ? '<!doctype html><title>Boots</title><h1>Boots</h1>'
      : `<!doctype html><html><head><title>Home</title></head><body>
      <div id="banner" data-parley-slot="${point}" data-parley-count="1"><p>Default banner</p></div>
      <div id="custom" data-parley-slot="${point}" data-parley-render="none"><p>Left to the page</p></div>
      <div id="elsewhere" data-parley-slot="${point}" data-parley-context='{"page": "/other"}'><p>Kept</p></div>
      <script>
        document.addEventListener('parley:offers', (e) => {
          if (e.target.id === 'custom') window.customAnswer = e.detail;
        });
      </script>
      <script async src="${BASE}/t/snippet.js" data-key="${key}"></script>
    </body></html>`,
  }));
  await page.goto(`${BASE}/demo-shop/home`);
  const banner = page.locator('#banner a.parley-offer');
  await banner.waitFor();
  assert.equal(await banner.count(), 1);
  assert.equal(await banner.getAttribute('data-parley-offer'), 'BOOTS');
  assert.equal(await banner.locator('strong').textContent(), 'Winter boots <img src=x onerror="window.injected=1">');
  assert.equal(await banner.locator('span').textContent(), '20 % off today');
  assert.equal(await page.evaluate(() => window.injected), undefined, 'creative text is never markup');
  // The slot left to the page keeps its content and hands the answer over.
  await page.waitForFunction(() => window.customAnswer !== undefined);
  assert.equal(await page.locator('#custom').textContent(), 'Left to the page');
  assert.equal(await page.evaluate(() => window.customAnswer.offers[0].code), 'BOOTS');
  // Where the rule's context does not hold, nothing is eligible and the page's own content stays.
  await page.waitForFunction(() => document.querySelector('#elsewhere').getAttribute('data-parley-filled') === 'yes');
  assert.equal((await page.locator('#elsewhere').textContent()).trim(), 'Kept');

  // The click is reported, and the learner counts it.
  await banner.click();
  await page.waitForURL(`${BASE}/demo-shop/boots`);
  const perf = 'query($p: ID!) { offerPerformance(pointId: $p) { offer { code } presentations responses } }';
  let row;
  for (let tries = 0; tries < 50; tries++) {
    row = (await call(perf, { p: point })).offerPerformance.find((r) => r.offer.code === 'BOOTS');
    if (row && row.responses === 1) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(row.responses, 1, JSON.stringify(row));
  assert.equal(row.presentations, 2, 'the banner and the slot left to the page each showed it');
  assert.deepEqual(unexpected(problems), []);
}));
