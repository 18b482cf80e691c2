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
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(plots, function (el) { window.Plotly.Plots.resize(el); });
  });
})();
