/* Search with Pagefind: pagefind/pagefind.js at the site's root (sitegen/search.py made it)
   searches the pages of this page's language (its <html lang>), with that language's
   stemming, and fetches only the parts of the index a query needs. Results come 10 at a
   time: the title linked, the kind of page and an excerpt with the matched words marked.
   The filters (area, status, type, year of activities) come from the index when the reader
   opens them (or the address names one): until then their files are not fetched. */
(function () {
  "use strict";
  var form = document.getElementById("search");
  var input = document.getElementById("q");
  var box = document.getElementById("search-filters");  // <details> around the filters' form
  var filters = box ? box.querySelector("form") : null;
  var status = document.getElementById("search-status");
  var results = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var wordsEl = document.getElementById("site-words");
  if (!form || !input || !status || !results || !wordsEl) { return; }
  var words = JSON.parse(wordsEl.textContent);  // the page's words (i18n.script_words)
  var root = new URL(form.getAttribute("data-site-root"), window.location.href);
  var fileLinks = form.hasAttribute("data-file-links");  // (file_links: results link a page's file, not its folder)
  var params = new URLSearchParams(window.location.search);
  var PAGE = 10;
  var loading = null;  // the promise of the Pagefind module, once asked for
  var ready = false;  // whether it came
  var filled = null;  // the promise of the index's filters in the form, once asked for
  var found = [];  // the results of the current search (their data is loaded 10 at a time)
  var generation = 0;  // the current search: an older one's answers are dropped
  var unknown = [];  // the address's filter values that no page has (fill), named until the filters change

  function count(forms, n, q, none) {  // a plural message for n, by the language's plural rule (0: `none`)
    var text = (n === 0 && none) || forms[new Intl.PluralRules(words.lang).select(n)] || forms.other;
    var shown = n.toLocaleString(words.lang);
    return text.replace("{n}", function () { return shown; }).replace("{q}", function () { return q; });
  }
  function selects() { return filters ? Array.prototype.slice.call(filters.querySelectorAll("select")) : []; }
  function chosen() {  // the filters set: {area: "Border security", ...}
    var out = {};
    selects().forEach(function (s) { if (s.value) { out[s.name] = s.value; } });
    return out;
  }
  function load() {  // Pagefind, set up
    if (!loading) {
      if (window.location.protocol === "file:") {
        loading = Promise.reject(new Error("file"));
      } else {
        loading = import(new URL("pagefind/pagefind.js", root).href).then(function (pagefind) {
          // result URLs start at the site's root, wherever the site is served; no web worker
          // (a search takes milliseconds here, and the worker's script would be fetched too).
          // A long page is ranked down less than by Pagefind's default (pageLength 0.75): an
          // area's page, long because it lists its activities, came after every short page
          // naming the word ("border" found Border security 17th; now first, with its name
          // weighted in area.html: 0.3 put it second, after an activity naming "border" twice).
          var options = { baseUrl: root.pathname, noWorker: true, ranking: { pageLength: 0.2 } };
          return Promise.resolve(pagefind.options(options)).then(function () {
            ready = true;
            return pagefind;
          });
        });
      }
    }
    return loading;
  }
  function fill() {  // the index's filter values in the selects (with the address's choice)
    if (!filled) {
      filled = load().then(function (pagefind) { return pagefind.filters(); }).then(function (all) {
        var any = false;
        selects().forEach(function (select) {
          var values = Object.keys(all[select.name] || {});
          // (as the activity list orders them: areas and types as the plan does, statuses from
          // planned to cancelled (the page's data-order), years from the first; others by name)
          var order = select.dataset.order ? JSON.parse(select.dataset.order) : [];
          var rank = function (v) { var i = order.indexOf(v); return i < 0 ? order.length : i; };
          values.sort(select.name === "year" ? function (a, b) { return a.localeCompare(b); }
            : function (a, b) { return rank(a) - rank(b) || a.localeCompare(b, words.lang); });
          values.forEach(function (value) {
            var option = document.createElement("option");
            option.value = option.textContent = value;
            select.appendChild(option);
            any = true;
          });
          var asked = params.get(select.name);
          if (asked && values.indexOf(asked) >= 0) {
            select.value = asked;
          } else if (asked) {
            unknown.push(asked);
          }
        });
        if (!any) { box.hidden = true; }
      });
    }
    return filled;
  }
  // A sentence of an excerpt is in the page's direction when it holds a letter of the page's
  // direction (an Arabic sentence that names an English title, "Joint firearms activities
  // completed: القيمة الفعلية..."), else in the other ("" when it has no letter)
  var RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/, LTR = /[A-Za-z\u00c0-\u052f]/;
  function direction(html) {
    var text = html.replace(/<[^>]*>/g, ""), rtl = RTL.test(text), ltr = LTR.test(text);
    if (document.dir === "rtl") { return rtl ? "rtl" : ltr ? "ltr" : ""; }
    return ltr ? "ltr" : rtl ? "rtl" : "";
  }
  function textOf(html) {  // the text of Pagefind's escaped excerpt (an inert template parses it)
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content.textContent;
  }
  function item(data) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = fileLinks ? data.url.replace(/\/(?=[?#]|$)/, "/index.html") : data.url;
    a.textContent = (data.meta && data.meta.title) || data.url;
    // (each in the direction of its own letters: a record not yet translated shows its English
    // title and text on an Arabic page, whose order would otherwise scatter its dates and stops)
    a.dir = "auto";
    li.appendChild(a);
    var kind = data.meta && words.kinds[data.meta.kind];
    if (kind) { li.appendChild(document.createTextNode(" (" + kind + ")")); }
    if (data.excerpt) {
      var p = document.createElement("p");
      p.className = "excerpt";
      // Pagefind escapes the page's text and adds <mark> around matches. Each sentence in its
      // own direction (see direction), and the excerpt in that of most of its sentences: on an
      // Arabic page a record not yet translated has an English title and text, and its facts
      // Arabic labels before English values ("المجال: Firearms."); in one direction, their
      // full stops and brackets jumped to the other end of the sentence
      var sentences = data.excerpt.replace(/\.(<\/mark>)?\s+/g, ".$1\n").split("\n");
      // (without the page's title, or its end, when the excerpt begins with it: the link above
      // says it)
      var content = (data.content || "").replace(/\s+/g, " ").trim();
      var title = a.textContent.replace(/\s+/g, " ").trim() + ".";
      var first = sentences.length > 1 ? textOf(sentences[0]).replace(/\s+/g, " ").trim() : "";
      var afterTitle = first !== "" && title.slice(-first.length) === first && content.indexOf(title) === 0;
      if (afterTitle) { sentences.shift(); }
      var dirs = sentences.map(direction);
      var rtl = dirs.filter(function (d) { return d === "rtl"; }).length;
      var ltr = dirs.filter(function (d) { return d === "ltr"; }).length;
      p.dir = rtl > ltr ? "rtl" : rtl < ltr ? "ltr" : document.dir || "ltr";
      // (the no-break space the page keeps before a colon, semicolon, "!", "?" and "»" and
      // after "«", which Pagefind's text turns into a space: French lines began with ": 35")
      p.innerHTML = sentences.map(function (s, i) {
        s = s.replace(/ (?=[:;!?\u00bb])/g, "\u00a0").replace(/\u00ab /g, "\u00ab\u00a0");
        return "<bdi" + (dirs[i] ? ' dir="' + dirs[i] + '"' : "") + ">" + s + "</bdi>";
      }).join(" ");
      // "…" where the excerpt cuts the page's text (Pagefind takes some 30 words around the
      // best match, from within a sentence as often as not)
      var plain = p.textContent.replace(/\s+/g, " ").trim();
      if (content && plain) {
        var from = afterTitle ? title.length + 1 : 0;
        if (content.indexOf(plain.slice(0, 40), from) !== from) { p.insertBefore(document.createTextNode("\u2026 "), p.firstChild); }
        if (content.slice(-40) !== plain.slice(-40)) { p.appendChild(document.createTextNode(" \u2026")); }
      }
      li.appendChild(p);
    }
    return li;
  }
  // Pagefind, finding no page with a word, searches for the longest start of it that some page
  // has (Pagefind issues #599, #780): "trafiking" found Türkiye by its "(TR)", the Russian
  // "оружие" (on pages in English) three pages by a "о". A word that no mark in the first
  // results begins with most of is in no page. A word of a right-to-left script is compared by
  // its core: Arabic's stemmer strips prefixes too ("والتدريب" finds "التدريبية"), so the core
  // of the word (without the article, a conjunction or preposition before it, and a plural or
  // feminine ending) must stand whole, or most of it, anywhere in a mark ("كلمةغريبة" found 29
  // pages by their "كل"). Words of one or two letters are not compared.
  function plainWord(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^\p{L}\p{N}]/gu, "")
      .replace(/[\u0622\u0623\u0625\u0671]/g, "\u0627").replace(/\u0649/g, "\u064a").replace(/\u0629/g, "\u0647");  // (Arabic: one alef, ya, ha)
  }
  var AR_BEFORE = /^(?:\u0648\u0627\u0644|\u0628\u0627\u0644|\u0643\u0627\u0644|\u0641\u0627\u0644|\u0644\u0644|\u0627\u0644|[\u0648\u0641\u0628\u0644\u0643])/;  // وال بال كال فال لل ال و ف ب ل ك
  var AR_AFTER = /(?:\u0627\u062a|\u0648\u0646|\u064a\u0646|\u0627\u0646|\u064a\u0647|\u0647\u0627|\u0647\u0645|\u0647)$/;  // ات ون ين ان ية ها هم ة/ه
  function core(plain) {  // an Arabic word without one prefix and one ending, while 3 letters stay
    var cut = plain.replace(AR_BEFORE, "");
    if (cut.length >= 3) { plain = cut; }
    cut = plain.replace(AR_AFTER, "");
    return cut.length >= 3 ? cut : plain;
  }
  function longestCommon(a, b) {  // the length of the longest run of letters a and b share
    var best = 0;
    for (var i = 0; i < a.length; i++) {
      for (var j = 0; j < b.length; j++) {
        var n = 0;
        while (i + n < a.length && j + n < b.length && a[i + n] === b[j + n]) { n++; }
        if (n > best) { best = n; }
      }
    }
    return best;
  }
  function absent(q, data) {  // {missing: the words of q in no page, all: whether all of q's are}
    var marks = [];
    data.forEach(function (d) {
      (d.excerpt || "").replace(/<mark>([\s\S]*?)<\/mark>/g, function (_, m) { marks.push(plainWord(textOf(m))); return _; });
    });
    var checked = 0, missing = [];
    q.split(/\s+/).forEach(function (w) {
      var plain = plainWord(w);
      if (!marks.length || plain.length < 3) { return; }
      checked++;
      var rtl = RTL.test(w), best = 0;
      if (rtl) { plain = core(plain); }
      var need = Math.min(plain.length, Math.max(rtl ? 3 : 4, Math.ceil(plain.length * (rtl ? 0.75 : 0.6))));
      marks.forEach(function (m) {
        var n = 0;
        if (rtl) { n = longestCommon(plain, m); }
        while (!rtl && n < m.length && m[n] === plain[n]) { n++; }
        best = Math.max(best, n);
      });
      if (best < need) { missing.push(w); }
    });
    return { missing: missing, all: checked > 0 && missing.length === checked };
  }
  function notes(missing) {  // what the results leave out: words of the query no page holds, unknown filters
    var out = unknown.map(function (v) { return words.unknown_filter.replace("{value}", function () { return v; }); });
    var named = missing.map(function (w) { return w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ""); });  // ("Kyeev," as "Kyeev")
    if (named.length === 1) {
      out.unshift(words.not_in_any.replace("{word}", function () { return named[0]; }));
    } else if (named.length > 1) {
      var quoted = named.map(function (w) { return words.quoted.replace("{word}", function () { return w; }); });
      var list = window.Intl && Intl.ListFormat ? new Intl.ListFormat(words.lang, { type: "disjunction" }).format(quoted)
        : quoted.join(words.comma);
      out.unshift(words.not_in_several.replace("{words}", function () { return list; }));
    }
    return out.join(" ");
  }
  function showMore(mine, focus, upTo) {  // the next 10 results (or up to `upTo`, coming back to the page)
    var start = results.children.length;
    var next = found.slice(start, Math.max(start + PAGE, upTo || 0));
    if (more) { more.hidden = true; }
    return Promise.all(next.map(function (r) { return r.data(); })).then(function (data) {
      if (mine !== generation) { return; }
      data.forEach(function (d) { results.appendChild(item(d)); });
      if (more) { more.hidden = results.children.length >= found.length; }
      if (focus && results.children[start]) { results.children[start].querySelector("a").focus(); }
      keep();
    });
  }
  function keep() {  // how many results are shown, and where the page is scrolled: for Back
    if (window.location.protocol === "file:") { return; }
    window.history.replaceState({ shown: results.children.length, y: window.scrollY }, "");
  }
  function unavailable(error) {
    status.textContent = error && error.message === "file" ? words.needs_http_search : words.search_unavailable;
  }
  function run(back) {  // `back`: what was shown when the reader left the page (history.state)
    var q = input.value.trim();
    var mine = ++generation;
    results.textContent = "";
    found = [];
    if (more) { more.hidden = true; }
    // (filters alone list the activities they match: they did nothing without a word)
    if (!q && !(box && box.open)) { status.textContent = ""; keep(); return; }
    if (!ready) { status.textContent = words.loading_index; }
    (box && box.open ? fill() : load()).then(load).then(function (pagefind) {
      var set = chosen();
      if (!q && !Object.keys(set).length) { return null; }
      return pagefind.search(q || null, { filters: set });
    }).then(function (search) {
      if (mine !== generation) { return; }
      if (!search) { status.textContent = notes([]); keep(); return; }
      // (without a word, in Pagefind's order: not by date, which data-pagefind-sort would give
      // but the index of several groups cannot be merged with (search_shards); the activity
      // list filters by date)
      found = search.results;
      var not = { missing: [], all: false };
      return (q ? Promise.all(found.slice(0, PAGE).map(function (r) { return r.data(); })) : Promise.resolve([]))
        .then(function (first) {
          not = absent(q, first);
          if (not.all || !not.missing.length) { return null; }
          // (the other words alone: with the missing one, Pagefind found only pages holding its
          // first letters too, "Украина Киев" two pages naming Kyrgyzstan, not Ukraine's 23)
          var kept = q.split(/\s+/).filter(function (w) { return not.missing.indexOf(w) < 0; }).join(" ");
          return load().then(function (pagefind) { return pagefind.search(kept, { filters: chosen() }); });
        })
        .then(function (again) {
          if (mine !== generation) { return; }
          if (again) { found = again.results; }
          if (not.all) { found = []; }  // (pages found by a few letters of each word: none has it)
          status.textContent = [q ? count(words.results, found.length, q, words.no_results)
            : count(words.matches, found.length, "", words.no_matches),
                                notes(not.all ? [] : not.missing)].join(" ").trim();
          return showMore(mine, false, back && back.shown).then(function () {
            if (back && back.y) { window.scrollTo(0, back.y); }
          });
        });
    }).catch(function (error) {
      if (mine === generation) { unavailable(error); }
    });
  }
  function remember() {  // the query and filters in the address, for a reload or a link
    if (window.location.protocol === "file:") { return; }
    var url = new URL(window.location.href);
    url.search = "";
    if (input.value) { url.searchParams.set("q", input.value); }
    var set = chosen();
    Object.keys(set).forEach(function (name) { url.searchParams.set(name, set[name]); });
    window.history.replaceState(null, "", url);
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    remember();
    run();
  });
  // the box emptied (Escape, its clear button, Backspace: each an "input"): no results left
  // for a query no longer there
  input.addEventListener("input", function () { if (!input.value) { remember(); run(); } });
  // (Back to this page shows the results as they were, as many, where the reader was)
  if ("scrollRestoration" in window.history) { window.history.scrollRestoration = "manual"; }
  window.addEventListener("pagehide", keep);
  if (box && filters && window.location.protocol !== "file:") {
    box.hidden = false;
    box.addEventListener("toggle", function () { if (box.open) { fill().catch(function () {}); } });
    filters.addEventListener("submit", function (e) { e.preventDefault(); });
    // (a select changed by the arrow keys changes at each press: one search once they stop)
    var pending = 0;
    filters.addEventListener("change", function () {
      unknown = [];  // (the reader chose: the address's filters are no longer what is shown)
      window.clearTimeout(pending);
      pending = window.setTimeout(function () { remember(); run(); }, 300);
    });
    if (selects().some(function (s) { return params.get(s.name); })) { box.open = true; }
  }
  if (more) {
    more.addEventListener("click", function () {
      var mine = generation;
      showMore(mine, true).catch(function (error) { if (mine === generation) { unavailable(error); } });
    });
  }
  var q = params.get("q");
  if (q) { input.value = q; }
  if (window.location.protocol === "file:") {
    status.textContent = words.needs_http_search;  // (read from disk: Pagefind cannot fetch its index)
  } else if (q || (filters && selects().some(function (s) { return params.get(s.name); }))) {
    run(window.history.state);  // (with the filters of the address: fill() sets them)
  } else {
    // ready for the first query: Pagefind, its language's meta data and WebAssembly
    load().then(function (pagefind) { return pagefind.init(); }).catch(function () {});
  }
})();
