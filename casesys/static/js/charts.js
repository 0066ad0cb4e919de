// casesys: charts of the dashboard, the mediation dashboard, the workload and the
// referral boxes (labels come from the server, named as in the tables).
// Each <canvas data-chart> carries its figures as JSON — {type, labels,
// series: [{label, data}], stacked?, colours?, legend?, integers?}; the same
// numbers are in a table beside it.
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var palette = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545", "#20c997", "#6c757d"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = JSON.parse(canvas.dataset.chart);
    var colours = spec.colours || palette;
    var round = spec.type === "doughnut";
    var datasets = spec.series.map(function (series, i) {
      return {
        label: series.label,
        data: series.data,
        backgroundColor: round ? colours.slice(0, series.data.length) : colours[i % colours.length],
        borderColor: colours[i % colours.length],
        fill: false
      };
    });
    var options = { responsive: true, maintainAspectRatio: false, animation: false };
    if (spec.legend === false) { options.plugins = { legend: { display: false } }; }
    if (!round) {
      var y = { stacked: !!spec.stacked, beginAtZero: true };
      if (spec.integers) { y.ticks = { precision: 0 }; }
      options.scales = { x: { stacked: !!spec.stacked }, y: y };
    }
    if (spec.horizontal) {  // long labels (partner offices) read better down the side
      options.indexAxis = "y";
      var narrow = canvas.parentElement.clientWidth < 576;  // a phone: short labels, the whole name in the tooltip
      options.scales = { x: { stacked: !!spec.stacked, beginAtZero: true, ticks: { precision: 0 } },
                         y: { stacked: !!spec.stacked, ticks: { callback: function (value) {
                           var label = this.getLabelForValue(value);
                           return narrow && label.length > 12 ? label.slice(0, 11) + "…" : label;
                         } } } };
    }
    canvas.parentElement.style.minHeight = "220px";
    new window.Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets: datasets }, options: options });
  });
})();
