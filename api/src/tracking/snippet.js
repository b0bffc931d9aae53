/* Parley tracking snippet. Put it on a page with the workspace's publishable key:
 *   <script async src="https://parley.example/t/snippet.js" data-key="prly_pk_…"></script>
 * It records the page view, clicks on elements marked data-parley-track="name", form
 * submits, and what the page reports with parley.track(type, properties); a visitor
 * named with parley.identify({email | phone | externalId}) is stitched to the contact.
 * Events are sent in batches with sendBeacon (no preflight, survives the page closing).
 *
 * Offers: an element marked data-parley-slot="<interaction point ID>" is filled with the
 * offers Parley decides for the visitor (data-parley-count: how many; data-parley-context:
 * a JSON object the point's rules may test, beside the page's path), each a link with its
 * creative; a click on one is reported as CLICKED. With data-parley-render="none" the
 * slot is left to the page, which hears a "parley:offers" event carrying the answer.
 * parley.decide(point, {count, context}) answers the same as a promise, and
 * parley.respond(decisionId, offerId, outcome) reports what the visitor did. */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.parley) return;
  var key = script.getAttribute('data-key');
  var endpoint = new URL('/t/events', script.src).href;
  var queue = [];
  var timer = null;
  var who = {};
  var fallbackId = null;

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(16) + Math.random().toString(16).slice(2);
  }

  function anonymousId() {
    try {
      var id = localStorage.getItem('parley_anonymous_id');
      if (!id) { id = newId(); localStorage.setItem('parley_anonymous_id', id); }
      return id;
    } catch (e) {
      return fallbackId || (fallbackId = newId());
    }
  }

  function send(batch) {
    var body = JSON.stringify({ key: key, events: batch });
    var sent = false;
    try {
      sent = navigator.sendBeacon && navigator.sendBeacon(endpoint, new Blob([body], { type: 'text/plain' }));
    } catch (e) { sent = false; }
    if (!sent && window.fetch) {
      fetch(endpoint, { method: 'POST', body: body, keepalive: true, headers: { 'content-type': 'text/plain' } })
        .catch(function () {});
    }
  }

  function flush() {
    if (timer) { clearTimeout(timer); timer = null; }
    while (queue.length) send(queue.splice(0, 100));
  }

  function track(type, properties) {
    var event = { type: String(type), anonymousId: anonymousId(), properties: properties || {},
                  occurredAt: new Date().toISOString() };
    for (var k in who) event[k] = who[k];
    queue.push(event);
    if (queue.length >= 100) flush();
    else if (!timer) timer = setTimeout(flush, 250);
  }

  function identify(person) {
    who = {};
    ['email', 'phone', 'externalId'].forEach(function (k) { if (person && person[k]) who[k] = String(person[k]); });
    track('identify', (person && person.traits) || {});
  }

  function pageView() {
    var props = { path: location.pathname, url: location.href, title: document.title, referrer: document.referrer };
    var params = new URLSearchParams(location.search);
    ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'].forEach(function (p) {
      if (params.get(p)) props[p] = params.get(p);
    });
    track('page_view', props);
  }

  document.addEventListener('click', function (ev) {
    var el = ev.target && ev.target.closest ? ev.target.closest('[data-parley-track]') : null;
    if (el) {
      track('click', { name: el.getAttribute('data-parley-track'), text: (el.textContent || '').trim().slice(0, 100),
                       path: location.pathname });
    }
  }, true);
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    track('form_submit', { form: form.getAttribute('data-parley-form') || form.id || form.getAttribute('name') || '',
                           path: location.pathname });
    flush();
  }, true);
  addEventListener('pagehide', flush);

  function post(path, payload) {
    return fetch(new URL(path, script.src).href, {
      method: 'POST', body: JSON.stringify(payload), headers: { 'content-type': 'text/plain' }, keepalive: true,
    });
  }

  function decide(point, options) {
    options = options || {};
    var payload = { key: key, point: String(point), context: options.context || {} };
    if (!('page' in payload.context)) payload.context.page = location.pathname;
    if (options.count) payload.count = options.count;
    if (who.email) payload.email = who.email;
    else if (who.externalId) payload.externalId = who.externalId;
    else payload.anonymousId = anonymousId();
    return post('/t/decide', payload).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error('parley: ' + (body.error || res.status) + (body.field ? ' (' + body.field + ')' : ''));
        return body;
      });
    });
  }

  function respond(decisionId, offerId, outcome) {
    var body = JSON.stringify({ key: key, decisionId: decisionId, offerId: offerId, outcome: outcome || 'CLICKED' });
    var sent = false;
    try {
      sent = navigator.sendBeacon && navigator.sendBeacon(new URL('/t/respond', script.src).href,
                                                          new Blob([body], { type: 'text/plain' }));
    } catch (e) { sent = false; }
    if (!sent) post('/t/respond', JSON.parse(body)).catch(function () {});
  }

  // One offer as a link holding its creative (text set as text, never as markup).
  function offerElement(answer, offer) {
    var c = offer.creative || {};
    var link = document.createElement('a');
    link.className = 'parley-offer';
    link.setAttribute('data-parley-offer', offer.code);
    if (c.link) link.href = c.link;
    if (c.imageUrl) {
      var img = document.createElement('img');
      img.src = c.imageUrl;
      img.alt = '';
      link.appendChild(img);
    }
    var title = document.createElement('strong');
    title.textContent = c.title || offer.name || offer.code;
    link.appendChild(title);
    if (c.body) {
      var body = document.createElement('span');
      body.textContent = c.body;
      link.appendChild(body);
    }
    link.addEventListener('click', function () { respond(answer.decisionId, offer.id, 'CLICKED'); });
    return link;
  }

  function fill(slot) {
    if (slot.getAttribute('data-parley-filled')) return;
    slot.setAttribute('data-parley-filled', 'pending');
    var context = {};
    try { context = JSON.parse(slot.getAttribute('data-parley-context') || '{}'); } catch (e) { context = {}; }
    var count = parseInt(slot.getAttribute('data-parley-count') || '', 10);
    decide(slot.getAttribute('data-parley-slot'), { context: context, count: count > 0 ? count : undefined })
      .then(function (answer) {
        slot.setAttribute('data-parley-decision', answer.decisionId);
        // With nothing to show, the slot keeps the page's own content.
        if (slot.getAttribute('data-parley-render') !== 'none' && answer.offers.length) {
          while (slot.firstChild) slot.removeChild(slot.firstChild);
          answer.offers.forEach(function (o) { slot.appendChild(offerElement(answer, o)); });
        }
        slot.setAttribute('data-parley-filled', 'yes');
        slot.dispatchEvent(new CustomEvent('parley:offers', { detail: answer, bubbles: true }));
      })
      .catch(function (e) {
        // The slot keeps what the page put in it (its own default content).
        slot.setAttribute('data-parley-filled', 'failed');
        if (window.console) console.warn(e.message || e);
      });
  }

  function fillSlots() {
    var slots = document.querySelectorAll('[data-parley-slot]');
    for (var i = 0; i < slots.length; i++) fill(slots[i]);
  }

  window.parley = { track: track, identify: identify, flush: flush, anonymousId: anonymousId,
                    decide: decide, respond: respond, fillSlots: fillSlots };
  pageView();
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fillSlots);
  else fillSlots();
})();
