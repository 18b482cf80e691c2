/* Draw every chart of the page from its embedded figure JSON; collapse the data tables. */
(function () {
  "use strict";
  if (!window.Plotly) { return; }
  // (no zoom and pan toolbar: these charts are read, not explored; their data is in tables)
  var config = { displaylogo: false, responsive: true, displayModeBar: false };
  // Month names and separators of the page's language (CLDR, from the page), not Plotly's English
  var locale = document.getElementById("plotly-locale");
  if (locale) {
    var lang = document.documentElement.lang;
    window.Plotly.register({ moduleType: "locale", name: lang, dictionary: {}, format: JSON.parse(locale.textContent) });
    config.locale = lang;
  }
  var plots = document.querySelectorAll(".plot[data-figure]");
  // A layout's values by path ({"a.b": value}: layout.meta.narrow, layout.meta.print)
  function assign(layout, changes) {
    Object.keys(changes).forEach(function (path) {
      var keys = path.split("."), at = layout;
      for (var i = 0; i < keys.length - 1; i++) { at = at[keys[i]] = at[keys[i]] || {}; }
      at[keys[keys.length - 1]] = changes[path];
    });
  }
  Array.prototype.forEach.call(plots, function (el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    // (a chart drawn as parts on paper, see printParts: its figure as given, not a phone's)
    if (figure.layout.meta && figure.layout.meta.parts) { el.figureText = source.textContent; }
    // A figure may say how it reads on a narrow screen (layout.meta.narrow: "a.b": value)
    var narrow = figure.layout.meta && figure.layout.meta.narrow;
    if (narrow && el.clientWidth < 600) {
      assign(figure.layout, narrow);
    }
    // ... and on a page whose own legend names its traces ([data-page-legend] around it: the
    // timeline's), without a legend of its own (layout.meta.page_legend); its embed page,
    // which has no other, and its picture keep it
    var own = figure.layout.meta && figure.layout.meta.page_legend;
    if (own && el.closest("[data-page-legend]")) {
      assign(figure.layout, own);
    }
    // ... and on paper (layout.meta.print: "a.b": value), with the screen's values kept to
    // come back to (a phone's, when printed from one, are the narrow ones)
    var paper = figure.layout.meta && figure.layout.meta.print;
    if (paper) {
      el.paperLayout = paper;
      el.screenLayout = {};
      Object.keys(paper).forEach(function (path) {
        var at = figure.layout;
        path.split(".").forEach(function (key) { at = at === undefined ? undefined : at[key]; });
        el.screenLayout[path] = at === undefined ? null : at;
      });
    }
    // (its own height, for print: a window's resize has Plotly drop layout.height)
    var margin = figure.layout.margin || {};
    el.screenHeight = figure.layout.height;
    el.margins = (margin.t || 0) + (margin.b || 0);
    window.Plotly.newPlot(el, figure.data, figure.layout, config);
    var details = el.parentNode.querySelector("details.chart-data");
    if (details) { details.removeAttribute("open"); }
    offerImage(el, source);
  });
  // The chart as a PNG or SVG file: drawn again from its figure (its labels whole, whatever
  // the screen), 1000 px wide, with its title above and, below the title, the site and the
  // page it comes from (a picture pasted into a report keeps saying what it is).
  function offerImage(el, source) {
    var chart = el.closest("figure.chart");
    var offer = chart && chart.querySelector(".chart-image");
    var heading = chart && chart.querySelector("figcaption [id$='-title']");
    if (!offer || !heading || !window.Plotly.toImage) { return; }
    offer.hidden = false;
    Array.prototype.forEach.call(offer.querySelectorAll("button[data-format]"), function (button) {
      button.addEventListener("click", function () {
        var figure = JSON.parse(source.textContent), layout = figure.layout;
        var brand = document.querySelector(".site-header .brand");
        var from = (brand ? brand.textContent.trim() + " \u00b7 " : "") + location.href.split("#")[0];
        var rtl = document.documentElement.dir === "rtl";
        layout.title = { text: heading.textContent.trim(), subtitle: { text: from, font: { size: 11, color: "#4a5360" } },
                         x: rtl ? 0.99 : 0.01, xanchor: rtl ? "right" : "left", automargin: true,
                         yref: "container", y: 1, yanchor: "top", pad: { t: 14 }, font: { size: 16 } };
        var format = button.getAttribute("data-format");
        window.Plotly.toImage({ data: figure.data, layout: layout, config: config },
                              { format: format, width: 1000, height: (layout.height || 360) + 90 }).then(function (url) {
          var link = document.createElement("a");
          link.href = url;
          link.download = chart.id + "." + format;
          document.body.appendChild(link);
          link.click();
          link.remove();
        });
      });
    });
  }
  // Charts fit the printed page's width (two side by side), and the screen's again after.
  // Two side by side have their plot areas drawn a quarter lower on paper than on screen
  // (where each has the screen's width; its margins, legend, labels keep their room): at
  // their screen height, taller than wide, a dashboard's charts took a page per row. Not
  // those of horizontal bars, whose height is made of their rows (one per area...).
  // Their paper height is set before printing too (beforeprint, below): the browser counts
  // the sheets before the page is laid out for paper, and an area page printed a blank last
  // sheet, numbered past the "1 / 4" of the others, for the quarter its charts lost after.
  function paperHeight(el, half) {
    var rows = el.data.some(function (trace) { return trace.orientation === "h"; });
    return half && !rows ? el.screenHeight - Math.round(0.25 * (el.screenHeight - el.margins)) : el.screenHeight;
  }
  // (before printing, whether a chart will stand beside another is told by site.css's print
  // rules: two to a row in .charts, but a .charts.wide's, a .chart-wide and an only chart alone)
  function besideOnPaper(el) {
    var chart = el.closest(".chart"), row = chart && chart.parentNode;
    return Boolean(row && row.classList.contains("charts") && !row.classList.contains("wide") &&
                   !chart.classList.contains("chart-wide") && row.children.length > 1);
  }
  function resize(event) {
    var page = document.documentElement.clientWidth;
    Array.prototype.forEach.call(plots, function (el) {
      if (!el.layout) { return; }
      if (el.figureText) { printParts(el, event.matches); return; }
      var height = paperHeight(el, event.matches && el.clientWidth < 0.6 * page);
      var update = { width: event.matches ? el.clientWidth : null, height: height };
      var layout = event.matches ? el.paperLayout : el.screenLayout;
      if (layout) { Object.keys(layout).forEach(function (path) { update[path] = layout[path]; }); }
      window.Plotly.relayout(el, update);
    });
  }
  // A chart of many rows (a timeline: layout.meta.parts, its rows' height on paper and its
  // areas' heading rows) is drawn on paper as parts that each fit a sheet, each with its
  // date axes: cut by the sheets, one chart had no dates on its middle sheets. A part ends
  // before an area's heading when one comes in its last fifth. The parts are made before
  // printing (the browser counts the sheets then: parts added once the page is laid out
  // for paper were cut off the PDF), and drawn at the paper's width once it is. The first
  // part fits the lower three fifths of a sheet: where on its sheet the chart starts is not
  // known before (on the timeline's page it starts at about a third). The screen's chart comes back after.
  var SHEET = 940;  // px of a sheet inside the margins of site.css's @page (A4: 1017, Letter: 950)
  var A4 = 703;  // px of an A4 sheet's width inside those margins
  function planParts(el) {
    if (el.parts) { return; }
    var figure = JSON.parse(el.figureText), layout = figure.layout, spec = layout.meta.parts;
    assign(layout, layout.meta.print || {});
    var count = layout.yaxis.tickvals.length, size = el._fullLayout._size;
    // The parts' margins: below, the dates' (as on screen); above, the first part's legend
    // (on a sheet narrower than the screen, its items take more lines: a third more) and the
    // years, the others' the years alone (the layout's own top margin holds them).
    var legend = (el._fullLayout.showlegend && el._fullLayout.legend && el._fullLayout.legend._height) || 0;
    if (!el._fullLayout.showlegend && layout.showlegend) {
      // (a chart without a legend on a phone's screen, the page naming its entries, has its own
      // on paper: about 34 px a row of entries, an entry per 200 px of the width drawn at)
      var entries = figure.data.filter(function (t) { return t.name && t.showlegend !== false; }).length;
      var across = Math.max(1, Math.floor(Math.min(el.clientWidth || A4, A4) / 200));
      legend = 34 * Math.ceil(entries / across);
    }
    var first = Math.max(size.t, Math.round(1.3 * legend) + 36) + size.b + 8;
    var over = (layout.margin.t || 0) + size.b + 8;
    var holder = document.createElement("div");
    holder.className = "plot-parts";
    el.parentNode.insertBefore(holder, el.nextSibling);
    el.parts = holder;
    el.classList.add("plot-split");
    var per = Math.max(5, Math.floor((SHEET - over) / spec.row));
    // (a chart that fits a sheet is one part: whole on this sheet or the next)
    var room = first + spec.row * count <= SHEET ? count : Math.max(5, Math.floor((0.6 * SHEET - first) / spec.row));
    for (var start = 0; start < count; room = per) {
      var end = Math.min(count, start + room);
      for (var h = spec.heads.length - 1; end < count && h >= 0; h--) {
        var head = spec.heads[h];
        if (head < end && head > start + (4 * room) / 5) { end = head; break; }
      }
      var part = document.createElement("div");
      part.className = "plot-part";
      var own = JSON.parse(JSON.stringify(layout));
      own.yaxis.range = [end - 0.5, start - 0.5];
      own.height = (start ? over : first) + spec.row * (end - start);
      own.showlegend = start === 0;
      // (above the years on top, as on screen: see charts._years_on_top)
      if (own.xaxis2) { own.legend.y = 1 + 26 / (spec.row * (end - start)); }
      // A part that starts inside an area is headed by the area's name, above its first row
      // where the labels are (its rows had no name on their sheet); the report date's note,
      // which sits in the first row, is left out there: it would cover a bar, not a heading.
      if (start && spec.heads.indexOf(start) < 0) {
        var owner = spec.heads.filter(function (h) { return h < start; }).pop();
        var right = own.yaxis.side === "right";  // (labels on the right: a right-to-left page)
        own.annotations = owner === undefined ? [] : [{
          text: own.yaxis.ticktext[owner], showarrow: false, font: own.yaxis.tickfont,
          xref: "paper", x: right ? 1 : 0, xanchor: right ? "left" : "right", xshift: 0,
          yref: "paper", y: 1, yanchor: "bottom", align: right ? "left" : "right" }];
      }
      part.style.height = own.height + "px";
      part.layout = own;
      holder.appendChild(part);
      start = end;
    }
  }
  function printParts(el, on) {
    if (!on) {
      if (el.parts) {
        Array.prototype.forEach.call(el.parts.children, function (part) { window.Plotly.purge(part); });
        el.parts.remove();
        el.parts = null;
      }
      el.classList.remove("plot-split");
      return;
    }
    planParts(el);
    var still = JSON.parse(JSON.stringify(config));  // (paper: neither hover nor resizing)
    still.staticPlot = true;
    still.responsive = false;
    var data = JSON.parse(el.figureText).data, parts = el.parts.children;
    // (at the paper's width once the page is laid out for it; before, at most an A4 sheet's)
    var width = window.matchMedia("print").matches ? el.parts.clientWidth : Math.min(el.parts.clientWidth || A4, A4);
    Array.prototype.forEach.call(parts, function (part) {
      part.layout.width = width;  // (a copy drawn: the relayout below changes what Plotly holds, not the plan)
      window.Plotly.newPlot(part, JSON.parse(JSON.stringify(data)), JSON.parse(JSON.stringify(part.layout)), still);
    });
    // (the parts' plots at one place across the sheets: each part's labels gave it its own
    // side margins, and the dates moved from sheet to sheet)
    var sides = ["l", "r"].map(function (side) {
      return Math.max.apply(null, Array.prototype.map.call(parts, function (part) { return part._fullLayout._size[side]; }));
    });
    Array.prototype.forEach.call(parts, function (part) {
      if (part._fullLayout._size.l !== sides[0] || part._fullLayout._size.r !== sides[1]) {
        window.Plotly.relayout(part, { "margin.l": sides[0], "margin.r": sides[1], "yaxis.automargin": false });
      }
    });
  }
  // (drawn before printing too, and taken away after: a browser that tells no change of
  // media still prints the parts, and shows the screen's chart again)
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(plots, function (el) {
      if (!el.layout) { return; }
      if (el.figureText) { printParts(el, true); return; }
      var height = paperHeight(el, besideOnPaper(el));
      if (height !== el.layout.height) { window.Plotly.relayout(el, { height: height }); }
    });
  });
  window.addEventListener("afterprint", function () {
    Array.prototype.forEach.call(plots, function (el) {
      if (el.figureText) { printParts(el, false); return; }
      if (el.layout && el.layout.height !== el.screenHeight) { window.Plotly.relayout(el, { height: el.screenHeight }); }
    });
  });
  var printing = window.matchMedia && window.matchMedia("print");
  if (printing && printing.addEventListener) { printing.addEventListener("change", resize); }
  else if (printing && printing.addListener) { printing.addListener(resize); }
})();

/* A breakdown's table wider than the screen (a column per date) opens scrolled to its end:
   the latest dates, which the chart shows, rather than the earliest. */
(function () {
  "use strict";
  var rtl = document.documentElement.dir === "rtl";
  function toEnd() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-scroll"), function (box) {
      var wider = box.querySelector("table.breakdown-table") && box.scrollWidth > box.clientWidth;
      box.classList.toggle("scrolls", Boolean(wider));  // (site.css: a shadow where the dates pass under)
      if (wider) {
        box.scrollLeft = rtl ? -box.scrollWidth : box.scrollWidth;
      }
    });
  }
  toEnd();
  window.addEventListener("afterprint", toEnd);  // (laid out for paper, the tables lost their place)
})();

/* -- Embeddable charts (#19) ------------------------------------------------------------ */
/* A chart's "Embed" control: the snippet is selected on focus, and copied by its button
   where the Clipboard API exists (the button stays hidden elsewhere). */
(function () {
  "use strict";
  var controls = document.querySelectorAll(".chart-embed");
  var clipboard = navigator.clipboard && navigator.clipboard.writeText && window.isSecureContext;
  Array.prototype.forEach.call(controls, function (box) {
    var code = box.querySelector("textarea.embed-code");
    var button = box.querySelector("button.embed-copy");
    var status = box.querySelector(".embed-status");
    if (!code) { return; }
    code.addEventListener("focus", function () { code.select(); });
    if (!clipboard || !button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "";
      navigator.clipboard.writeText(code.value).then(function () {
        status.textContent = status.getAttribute("data-copied");
      }, function () { code.focus(); });  // (refused: the snippet is selected to copy by hand)
    });
  });
})();

/* A chart's embed page (embed/<chart id>/), inside an <iframe>: tell the framing page how
   tall the chart is, on load and whenever it changes (the snippet's script sets the
   iframe's height from it). */
(function () {
  "use strict";
  var box = document.querySelector("[data-embed]");
  if (!box || window.parent === window) { return; }
  var id = box.getAttribute("data-embed"), last = -1;
  function post() {
    var height = Math.ceil(box.getBoundingClientRect().height);
    if (height === last) { return; }
    last = height;
    window.parent.postMessage({ sitegen: "embed-height", id: id, height: height }, "*");
  }
  if (window.ResizeObserver) {
    new window.ResizeObserver(post).observe(box);
  } else {
    window.addEventListener("resize", post);
  }
  window.addEventListener("load", post);
  post();
})();

/* -- Menu toggle (#17) ------------------------------------------------------------------- */
/* On phones the menu (and the language menu) hides behind the header's "Menu" button (CSS,
   once html.js is set); the button opens and closes it, Escape closes it and returns to the
   button. Without scripts the button stays hidden and the menu open. */
(function () {
  "use strict";
  var button = document.querySelector(".site-header .menu-toggle");
  if (!button) { return; }
  var header = button.closest(".site-header");
  function show(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("menu-open", open);
  }
  button.addEventListener("click", function () {
    show(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") { return; }
    var inside = button.getAttribute("aria-controls").split(" ").some(function (id) {
      var menu = document.getElementById(id);
      return menu && menu.contains(document.activeElement);
    });
    show(false);
    if (inside || document.activeElement === button) { button.focus(); }
  });
})();

/* -- Breakdown (#18): an indicator's values by dimension ------------------------------- */
/* Without scripts every dimension's table and chart shows; with them, the select shows one
   dimension at a time (its charts resized: drawn while the section was visible, they keep
   their size, but the window may have changed since). */
(function () {
  "use strict";
  var select = document.getElementById("breakdown-select");
  if (!select) { return; }
  var sections = document.querySelectorAll(".breakdown-dimension");
  function show(id) {
    Array.prototype.forEach.call(sections, function (section) {
      section.hidden = section.id !== id;
      if (!section.hidden && window.Plotly) {
        Array.prototype.forEach.call(section.querySelectorAll(".plot.js-plotly-plot"), function (el) {
          window.Plotly.Plots.resize(el);
        });
      }
    });
  }
  select.parentNode.hidden = false;
  select.addEventListener("change", function () { show(select.value); });
  show(select.value);
})();
/* -- end of the breakdown -- */
