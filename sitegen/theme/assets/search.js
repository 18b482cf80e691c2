/* Static search: loads data/search.json once and ranks records by matching words. */
(function () {
  "use strict";
  var form = document.getElementById("search");
  var input = document.getElementById("q");
  var status = document.getElementById("search-status");
  var results = document.getElementById("search-results");
  if (!form) { return; }
  var root = form.getAttribute("data-root");
  var docs = null;

  function norm(s) { return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, ""); }
  function run() {
    var q = norm(input.value.trim());
    results.textContent = "";
    if (!q) { status.textContent = ""; return; }
    var words = q.split(/\s+/);
    var hits = [];
    docs.forEach(function (d) {
      var title = d._t || (d._t = norm(d.t)), text = d._x || (d._x = norm(d.x));
      var score = 0;
      for (var i = 0; i < words.length; i++) {
        var inTitle = title.indexOf(words[i]) >= 0, inText = text.indexOf(words[i]) >= 0;
        if (!inTitle && !inText) { return; }
        score += inTitle ? 3 : 1;
      }
      hits.push([score, d]);
    });
    hits.sort(function (a, b) { return b[0] - a[0] || (a[1].d < b[1].d ? 1 : a[1].d > b[1].d ? -1 : 0); });
    status.textContent = hits.length + (hits.length === 1 ? " result" : " results") + " for “" + input.value.trim() + "”.";
    hits.slice(0, 100).forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + h[1].u;
      a.textContent = h[1].t;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" (" + h[1].k + (h[1].d ? ", " + h[1].d : "") + ")"));
      results.appendChild(li);
    });
  }
  function load(then) {
    if (docs) { then(); return; }
    status.textContent = "Loading the search index…";
    fetch(form.getAttribute("data-index")).then(function (r) { return r.json(); })
      .then(function (data) { docs = data; then(); })
      .catch(function () { status.textContent = "Search needs the site to be served over HTTP."; });
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    if (window.location.protocol !== "file:") { window.history.replaceState(null, "", url); }
    load(run);
  });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { input.value = q; load(run); }
})();
