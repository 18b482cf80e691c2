/* Static search: loads data/search.json once and ranks records by matching words. */
(function () {
  "use strict";
  var form = document.getElementById("search");
  var input = document.getElementById("q");
  var status = document.getElementById("search-status");
  var results = document.getElementById("search-results");
  var wordsEl = document.getElementById("site-words");
  if (!form || !wordsEl) { return; }
  var words = JSON.parse(wordsEl.textContent);  // the page's words (Words.for_scripts)
  var root = form.getAttribute("data-root");
  var docs = null;

  function count(forms, n, q) {  // a plural message for n, by the language's plural rule
    var text = forms[new Intl.PluralRules(words.lang).select(n)] || forms.other;
    var shown = n.toLocaleString(words.lang, { useGrouping: false });
    return text.replace("{n}", function () { return shown; }).replace("{q}", function () { return q; });
  }
  function norm(s) { return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, ""); }
  function run() {
    var q = norm(input.value.trim());
    results.textContent = "";
    if (!q) { status.textContent = ""; return; }
    var terms = q.split(/\s+/);
    var hits = [];
    docs.forEach(function (d) {
      var title = d._t || (d._t = norm(d.t)), text = d._x || (d._x = norm(d.x));
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        var inTitle = title.indexOf(terms[i]) >= 0, inText = text.indexOf(terms[i]) >= 0;
        if (!inTitle && !inText) { return; }
        score += inTitle ? 3 : 1;
      }
      hits.push([score, d]);
    });
    hits.sort(function (a, b) { return b[0] - a[0] || (a[1].d < b[1].d ? 1 : a[1].d > b[1].d ? -1 : 0); });
    status.textContent = count(words.results, hits.length, input.value.trim());
    hits.slice(0, 100).forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + h[1].u;
      a.textContent = h[1].t;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" (" + (words.kinds[h[1].k] || h[1].k) + (h[1].d ? ", " + h[1].d : "") + ")"));
      results.appendChild(li);
    });
  }
  function load(then) {
    if (docs) { then(); return; }
    status.textContent = words.loading_index;
    fetch(form.getAttribute("data-index")).then(function (r) { return r.json(); })
      .then(function (data) { docs = data; then(); })
      .catch(function () { status.textContent = words.needs_http_search; });
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
