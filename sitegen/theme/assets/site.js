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
  Array.prototype.forEach.call(plots, function (el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    // A figure may say how it reads on a narrow screen (layout.meta.narrow: "a.b": value)
    var narrow = figure.layout.meta && figure.layout.meta.narrow;
    if (narrow && el.clientWidth < 600) {
      Object.keys(narrow).forEach(function (path) {
        var keys = path.split("."), at = figure.layout;
        for (var i = 0; i < keys.length - 1; i++) { at = at[keys[i]] = at[keys[i]] || {}; }
        at[keys[keys.length - 1]] = narrow[path];
      });
    }
    window.Plotly.newPlot(el, figure.data, figure.layout, config);
    var details = el.parentNode.querySelector("details.chart-data");
    if (details) { details.removeAttribute("open"); }
  });
  // Charts fit the printed page's width (two side by side), and the screen's again after.
  function resize() { Array.prototype.forEach.call(plots, function (el) { window.Plotly.Plots.resize(el); }); }
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
})();
