/* Client-side filtering of the activities list by area, status, type, country and year.
   Without JavaScript the page stays a plain (paginated) list. On a paginated list the
   filters search every activity through data/activities-index.json. */
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var list = document.getElementById("activity-list");
  var count = document.getElementById("filter-count");
  var wordsEl = document.getElementById("site-words");
  if (!form || !list || !wordsEl) { return; }
  var words = JSON.parse(wordsEl.textContent);  // the page's words (i18n.script_words)
  form.hidden = false;
  var paginated = form.getAttribute("data-paginated") === "yes";
  var root = form.getAttribute("data-root");
  var page = form.hasAttribute("data-file-links") ? "index.html" : "";  // (file_links: a page's file, not its folder)
  var original = list.innerHTML;
  // between an item's facts, as macros.html writes it: after a no-break space (a line never begins with a dot)
  var DOT = "\u00a0· ";
  var index = null;

  function values() {
    var v = {};
    Array.prototype.forEach.call(form.querySelectorAll("select"), function (s) { v[s.name] = s.value; });
    return v;
  }
  function active(v) { return Object.keys(v).some(function (k) { return v[k]; }); }
  function matches(v, rec) {
    return (!v.area || rec.area.indexOf(v.area) >= 0) && (!v.status || rec.status === v.status) &&
      (!v.type || rec.type === v.type) && (!v.country || rec.country.indexOf(v.country) >= 0) &&
      (!v.year || rec.year === v.year);
  }
  function fromItem(li) {
    return { area: (li.getAttribute("data-area") || "").split(" "), status: li.getAttribute("data-status"),
      type: li.getAttribute("data-type"), country: (li.getAttribute("data-country") || "").split(" "),
      year: li.getAttribute("data-year") };
  }
  function say(n) {  // "3 activities match.", by the language's plural rule ("No activities match.")
    var text = (n === 0 && words.no_matches) || words.matches[new Intl.PluralRules(words.lang).select(n)] ||
      words.matches.other;
    var shown = n.toLocaleString(words.lang);
    count.textContent = text.replace("{n}", function () { return shown; });
  }
  function filterDom(v) {
    var n = 0;
    Array.prototype.forEach.call(list.children, function (li) {
      var show = matches(v, fromItem(li));
      li.hidden = !show;
      if (show) { n += 1; }
    });
    say(n);
  }
  // A record's areas, type and countries named as the page names them: by the filters' own options
  function labels(name) {
    var out = {}, select = form.querySelector("select[name=" + name + "]");
    if (select) { Array.prototype.forEach.call(select.options, function (o) { if (o.value) { out[o.value] = o.textContent; } }); }
    return out;
  }
  var names = { area: labels("area"), type: labels("type"), country: labels("country") };
  var options = { area: {} };
  Array.prototype.forEach.call(form.querySelectorAll("select[name=area] option"), function (o) {
    if (o.value) { options.area[o.value] = o; }
  });
  // (an element whose text is in language `tag`, as the filter `lang_attrs` marks it)
  function marked(el, tag, dir) { el.lang = tag; el.dir = dir || "ltr"; }
  // A date ("2019-12-16") as the page writes it: the CLDR pattern of Words.date ("d MMM y"),
  // its day, month and year fields; a pattern with any other field: the date as it is.
  function dated(iso) {
    var d = words.date, p = d ? d.pattern : "", out = "", i = 0;
    var year = iso.slice(0, 4), month = +iso.slice(5, 7), day = +iso.slice(8, 10);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    while (i < p.length) {
      var c = p.charAt(i), n = 1;
      if (c === "'") {  // quoted text; '' is a quote
        var end = p.indexOf("'", i + 1);
        if (end < 0) { end = p.length; }
        out += end === i + 1 ? "'" : p.slice(i + 1, end);
        i = end + 1;
        continue;
      }
      if (!/[A-Za-z]/.test(c)) { out += c; i += 1; continue; }
      while (p.charAt(i + n) === c) { n += 1; }
      if (c === "d" && n === 1 && day === 1 && d.first) { out += d.first; }  // (French "1er")
      else if (c === "d" && n <= 2) { out += n === 2 ? two(day) : day; }
      else if (c === "M" && n <= 2) { out += n === 2 ? two(month) : month; }
      else if (c === "M" && d.months.length === 12) { out += d.months[month - 1]; }
      else if (c === "y" && n !== 2) { out += +year; }
      else if (c === "y") { out += year.slice(2); }
      else { return iso; }
      i += n;
    }
    return p ? out : iso;
  }
  // (in alphabetical order, accents and other marks aside, as i18n.collation_key sorts them:
  // "é" and "й" count as "e" and "и", an Arabic alef with a hamza as an alef)
  function sortKey(text) { return text.normalize("NFD").replace(/\p{Mn}/gu, "").toLowerCase(); }
  function byName(a, b) { var x = sortKey(a), y = sortKey(b); return x < y ? -1 : x > y ? 1 : 0; }
  function named(kind, keys) {
    var shown = keys.map(function (k) { return names[kind][k] || k; });
    if (kind === "country") { shown.sort(byName); }
    return shown.join(words.comma || ", ");
  }
  function renderIndex(v) {
    var out = [];
    index.forEach(function (r) {
      var rec = { area: r[2], status: r[3], type: r[4], country: r[5], year: r[6].slice(0, 4) };
      if (matches(v, rec)) { out.push(r); }
    });
    list.textContent = "";
    out.slice(0, 500).forEach(function (r) {
      var li = document.createElement("li");
      li.className = "activity-item";
      var a = document.createElement("a");
      a.href = root + "activities/" + r[0] + "/" + page;
      a.textContent = r[1];
      if (r[9]) { marked(a, r[9], r[10]); }  // (a title in another language than the page's)
      var meta = document.createElement("span");
      meta.className = "meta";
      var time = document.createElement("time");
      time.setAttribute("datetime", r[6]);
      time.textContent = dated(r[6]);
      meta.appendChild(time);
      meta.appendChild(document.createTextNode((r[4] ? DOT + named("type", [r[4]]) : "") + DOT));
      // the status as the list items show it (macros.html: status(), "rescheduled from ...")
      var status = document.createElement("span");
      status.className = "status status-" + r[3].replace(/ /g, "-");
      status.textContent = words.statuses[r[3]] || r[3];
      meta.appendChild(status);
      if (r.length > 8 && r[8] !== null) {
        var moved = document.createElement("span");
        moved.className = "slipped";
        moved.textContent = r[8] ? words.rescheduled_from.replace("{date}", function () { return dated(r[8]); })
          : words.rescheduled;
        meta.appendChild(document.createTextNode(DOT));
        meta.appendChild(moved);
      }
      // each area as the list items name it: in a <bdi>, marked as the filter's option is
      // when its title is in another language than the page's
      // (the last, when countries follow, joined with the dot after it, as macros.html does)
      r[2].forEach(function (k, i) {
        meta.appendChild(document.createTextNode(i ? words.comma || ", " : DOT));
        var bdi = document.createElement("bdi"), option = options.area[k];
        bdi.textContent = names.area[k] || k;
        if (option && option.lang) { marked(bdi, option.lang, option.dir); }
        if (i === r[2].length - 1 && r[5].length) {
          var joined = document.createElement("span");
          joined.className = "joined";
          joined.appendChild(bdi);
          joined.appendChild(document.createTextNode(DOT.trimEnd()));
          meta.appendChild(joined);
          meta.appendChild(document.createTextNode(" "));
        } else {
          meta.appendChild(bdi);
        }
      });
      meta.appendChild(document.createTextNode(r[5].length ? named("country", r[5]) : ""));
      li.appendChild(a); li.appendChild(meta); list.appendChild(li);
    });
    say(out.length);
  }
  function update() {
    var v = values();
    var url = new URL(window.location.href);
    Object.keys(v).forEach(function (k) { if (v[k]) { url.searchParams.set(k, v[k]); } else { url.searchParams.delete(k); } });
    if (window.location.protocol !== "file:") { window.history.replaceState(null, "", url); }
    if (!paginated) { filterDom(v); return; }
    if (!active(v)) { list.innerHTML = original; count.textContent = ""; return; }
    if (index) { renderIndex(v); return; }
    count.textContent = words.loading;
    fetch(form.getAttribute("data-index")).then(function (r) { return r.json(); })
      .then(function (data) { index = data; renderIndex(values()); })
      .catch(function () { count.textContent = words.needs_http_filter; });
  }
  var params = new URLSearchParams(window.location.search);
  Array.prototype.forEach.call(form.querySelectorAll("select"), function (s) {
    if (params.get(s.name)) { s.value = params.get(s.name); }
    s.addEventListener("change", update);
  });
  form.addEventListener("reset", function () { setTimeout(update, 0); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  if (active(values())) { update(); }
})();
