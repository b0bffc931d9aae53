/* Parley tracking snippet. Put it on a page with the workspace's publishable key:
 *   <script async src="https://parley.example/t/snippet.js" data-key="prly_pk_…"></script>
 * It records the page view, clicks on elements marked data-parley-track="name", form
 * submits, and what the page reports with parley.track(type, properties); a visitor
 * named with parley.identify({email | phone | externalId}) is stitched to the contact.
 * Events are sent in batches with sendBeacon (no preflight, survives the page closing). */
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

  window.parley = { track: track, identify: identify, flush: flush, anonymousId: anonymousId };
  pageView();
})();
