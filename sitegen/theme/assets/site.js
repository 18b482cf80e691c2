/* Draw every chart of the page from its embedded figure JSON; collapse the data tables. */
(function () {
  "use strict";
  if (!window.Plotly) { return; }
  var config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] };
  var plots = document.querySelectorAll(".plot[data-figure]");
  Array.prototype.forEach.call(plots, function (el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(el, figure.data, figure.layout, config);
    var details = el.parentNode.querySelector("details.chart-data");
    if (details) { details.removeAttribute("open"); }
  });
  // Printed pages carry their data tables: open them for printing, close them after.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details.chart-data"), function (d) {
      if (!d.open) { d.open = true; d.setAttribute("data-print-opened", ""); }
    });
    Array.prototype.forEach.call(plots, function (el) { window.Plotly.Plots.resize(el); });
  });
  window.addEventListener("afterprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details[data-print-opened]"), function (d) {
      d.open = false; d.removeAttribute("data-print-opened");
    });
  });
})();
