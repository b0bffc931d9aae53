// E-proofing in a real browser: a marketer uploads a picture, pins a comment to a spot
// of it, uploads an HTML email as the next version, compares the two side by side and
// asks for the new version's approval; an approver opens it from the inbox and
// approves it; the asset shows which version is approved. A stranger sees none of it.
//
//   PARLEY_BASE_URL=http://127.0.0.1:8080 PARLEY_OUTBOX=/path/to/data/outbox node --test tests/browser/assets.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import {
  BASE, NEEDS_OUTBOX, PASSWORD, inBrowser, logIn, ok, openHydrated, shot, signUp, stamp, unexpected,
  waitForEmailedToken,
} from './support.mjs';

/** A `width` × `height` PNG of one colour, with a darker band across its middle. */
function png(width, height, [r, g, b]) {
  const line = (shade) => {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set([r * shade, g * shade, b * shade], 1 + x * 3);
    return row;
  };
  const rows = [];
  for (let y = 0; y < height; y++) rows.push(line(Math.abs(y - height / 2) < height / 10 ? 0.5 : 1));
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** What the browser reported, but the sandbox refusing the email's script (as it must). */
const problemsOf = (problems) => unexpected(problems).filter((p) => !/Blocked script execution .* sandboxed/.test(p));

const EMAIL = '<!DOCTYPE html><html><body style="font-family:sans-serif"><h1>Spring sale</h1>'
  + '<p>Everything 20% off this week.</p><script>document.body.dataset.ran = "yes"</script></body></html>';

test('a picture commented on, an email version compared beside it and approved by another member', {
  skip: NEEDS_OUTBOX,
  timeout: 180_000,
}, () => inBrowser('assets', async (page, _context, problems) => {
  const id = stamp();
  const email = `petra-${id}@example.com`;
  const workspace = await signUp(page, { name: 'Petra Proofs', email, workspace: `Proofs ${id}` });
  const session = await ok('mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }',
    { variables: { i: { email, password: PASSWORD } } });
  const owner = { bearer: session.logIn.accessToken, workspace };
  await ok('mutation { createApprovalRule(input: {objectType: ASSET_VERSION, approverRole: APPROVER}) { id } }', owner);
  const approverEmail = `ada-${id}@example.com`;
  await ok('mutation($e: String!) { inviteMember(input: {email: $e, role: APPROVER}) { id } }',
    { ...owner, variables: { e: approverEmail } });
  const token = await waitForEmailedToken(approverEmail, '/accept-invitation');
  await ok('mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { accessToken } }',
    { variables: { i: { token, password: PASSWORD, name: 'Ada Approver' } } });

  // Version 1: a picture, named after its file until named otherwise.
  await page.click('[data-testid="nav-assets"]');
  await page.waitForURL(`${BASE}/app/assets`);
  await page.locator('[data-testid="assets-empty"]').waitFor();
  await page.setInputFiles('[data-testid="asset-file"]',
    { name: 'spring-banner.png', mimeType: 'image/png', buffer: png(480, 240, [60, 120, 220]) });
  assert.equal(await page.inputValue('[data-testid="asset-name"]'), 'spring-banner');
  await page.fill('[data-testid="asset-name"]', 'Spring banner');
  await page.click('[data-testid="asset-submit"]');
  await page.waitForURL(/\/app\/assets\/[^/]+$/);
  const assetUrl = page.url();
  await page.locator('[data-testid="version-row"]').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="proof-image"] img')?.naturalWidth === 480);

  // A comment pinned where the reviewer clicked.
  const pins = page.locator('[data-testid="pane-left"] [data-testid="proof-pins"]');
  const box = await pins.boundingBox();
  assert.ok(box.width > 100, `the picture is shown (${box.width} px wide)`);
  await pins.click({ position: { x: box.width * 0.25, y: box.height * 0.5 } });
  await page.locator('[data-testid="comment-pin"]', { hasText: '25% across, 50% down' }).waitFor();
  await page.fill('[data-testid="pane-left"] [data-testid="comment-text"]', 'Logo too small');
  await page.click('[data-testid="pane-left"] [data-testid="comment-submit"]');
  await page.locator('[data-testid="pane-left"] [data-testid="comment"]', { hasText: 'Logo too small' }).waitFor();
  assert.equal(await page.locator('[data-testid="pane-left"] [data-testid="pin"]').count(), 1);
  const cx = await page.locator('[data-testid="pane-left"] [data-testid="pin"] circle').getAttribute('cx');
  assert.ok(Math.abs(parseFloat(cx) - 25) < 1, `the pin is where the click was (${cx})`);
  await shot(page, '70-asset-pinned');

  // A file that is none of the kinds is refused, named next to the file.
  await page.setInputFiles('[data-testid="version-file"]',
    { name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from('email\nann@example.com\n') });
  await page.click('[data-testid="version-submit"]');
  await page.locator('[data-testid="error-file"]', { hasText: 'PNG' }).waitFor();

  // Version 2: the HTML email, shown in a sandbox where its script never runs.
  await page.setInputFiles('[data-testid="version-file"]',
    { name: 'spring.html', mimeType: 'text/html', buffer: Buffer.from(EMAIL) });
  await page.fill('[data-testid="version-note"]', 'As an email');
  await page.click('[data-testid="version-submit"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="version-row"]').length === 2);
  const frame = page.locator('[data-testid="pane-left"] [data-testid="proof-frame"]');
  await frame.waitFor();
  assert.equal(await frame.getAttribute('sandbox'), '');
  const inner = page.frameLocator('[data-testid="pane-left"] [data-testid="proof-frame"]');
  await inner.locator('h1', { hasText: 'Spring sale' }).waitFor();
  assert.equal(await inner.locator('body').getAttribute('data-ran'), null, 'the email\'s script did not run');

  // Side by side with version 1, its pin still there.
  await page.locator('[data-testid="version-row"]', { hasText: 'v1' }).locator('[data-testid="version-compare"]').click();
  await page.locator('[data-testid="proof-panes"].side-by-side').waitFor();
  await page.locator('[data-testid="pane-right"] [data-testid="pin"]').waitFor();
  assert.equal(await page.locator('[data-testid="pane-left"] h3').textContent(), 'Version 2 Draft');
  await shot(page, '71-asset-side-by-side');

  // Version 2 goes for approval.
  await page.click('[data-testid="pane-left"] [data-testid="request-approval"]');
  await page.locator('[data-testid="pane-left"] [data-testid="see-approval"]').waitFor();
  assert.equal(await page.locator('[data-testid="asset-approved"]').textContent(), 'none yet');

  // The approver opens it from the inbox, on the version asked about, and approves it.
  await inBrowser('assets-approver', async (other, _c, otherProblems) => {
    await openHydrated(other, '/login');
    await logIn(other, approverEmail);
    await other.waitForURL(`${BASE}/app`);
    await other.click('[data-testid="nav-approvals"]');
    const request = other.locator('[data-testid="approval-row"]', { hasText: "Asset 'Spring banner', version 2" });
    await request.waitFor();
    await request.locator('[data-testid="approval-open"]').click();
    await other.waitForURL(/\/app\/assets\//);
    await other.locator('[data-testid="pane-left"] h3', { hasText: 'Version 2' }).waitFor();
    await other.goBack();
    await request.locator('[data-testid="approval-comment"]').fill('Good to go');
    await request.locator('[data-testid="approval-approve"]').click();
    await other.locator('[data-testid="approvals-empty"]').waitFor();
    assert.deepEqual(problemsOf(otherProblems), []);
  });

  await page.reload();
  await page.locator('[data-testid="asset-approved"]', { hasText: 'v2' }).waitFor();
  await page.click('[data-testid="nav-assets"]');
  const row = page.locator('[data-testid="asset-row"]', { hasText: 'Spring banner' });
  await row.waitFor();
  assert.match(await row.textContent(), /Approved/);
  await page.selectOption('[data-testid="assets-state"]', 'DRAFT');
  await page.locator('[data-testid="assets-empty"]').waitFor();
  await shot(page, '72-assets');
  assert.deepEqual(problemsOf(problems), []);

  // Another workspace sees none of it, not even by its address.
  await inBrowser('assets-stranger', async (stranger) => {
    await signUp(stranger, { name: 'Sam Stranger', email: `sam-${id}@example.com`, workspace: `Other ${id}` });
    await stranger.click('[data-testid="nav-assets"]');
    await stranger.locator('[data-testid="assets-empty"]').waitFor();
    await stranger.goto(assetUrl);
    await stranger.locator('[data-testid="load-error"]').waitFor();
  });
}));
