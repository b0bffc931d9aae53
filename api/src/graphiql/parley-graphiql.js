// Renders GraphiQL against /graphql. It lives in a file of its own because the page's
// Content-Security-Policy allows no inline script.
//
// Authentication: the browser sends the web app's session cookies (same origin), and
// they count only together with the X-Parley-CSRF header, which the headers tab starts
// with. Remove it and add `"Authorization": "Bearer <access token or API key>"` to call
// the API as an API client does.
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  if (!window.React || !window.ReactDOM || !window.GraphiQL) {
    root.textContent = 'GraphiQL could not load its scripts from /graphiql/.';
    return;
  }
  var fetcher = window.GraphiQL.createFetcher({ url: '/graphql' });
  var defaultHeaders = JSON.stringify({ 'X-Parley-CSRF': '1' }, null, 2);
  window.ReactDOM.createRoot(root).render(
    window.React.createElement(window.GraphiQL, {
      fetcher: fetcher,
      defaultHeaders: defaultHeaders,
      defaultEditorToolsVisibility: 'headers',
    })
  );
})();
