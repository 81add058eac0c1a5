// Material fetches the whole search index (about 200 KB, as much as the rest of a page) on
// every first visit, before anyone searches. This holds that one request until the reader
// first uses search: focuses the search box (by click, tap or keyboard shortcut) or arrives
// from a search result (a `q` or `h` parameter). Until then Material's search waits, as it
// does for any slow download; every other request goes out as usual.
// Loaded in <head>, before Material's script, which fetches the index with XMLHttpRequest.
// The index is Material's search/search_index.json, or Zensical's search.json (its successor
// reads this site's mkdocs.yml and fetches its index the same way).
(function () {
  "use strict";
  var INDEX = /\/(search\/search_index|search)\.json$/;
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  var held = [];
  var wanted = /[?&][qh]=/.test(location.search);

  XMLHttpRequest.prototype.open = function (method, url) {
    this.searchIndex = INDEX.test(new URL(url, location.href).pathname);
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    if (this.searchIndex && !wanted) {
      held.push([this, arguments]);
      return undefined;
    }
    return send.apply(this, arguments);
  };

  function release() {
    wanted = true;
    held.splice(0).forEach(function (request) {
      send.apply(request[0], request[1]);
    });
  }
  document.addEventListener("focusin", function (event) {
    if (event.target.closest && event.target.closest("[data-md-component=search]")) {
      release();
    }
  });
})();
