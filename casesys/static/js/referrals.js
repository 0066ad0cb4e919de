// casesys: the chart of open referrals by partner (its table is beside it).
(function () {
  "use strict";
  var el = document.getElementById("referrals-by-partner");
  if (!el || !window.Chart) { return; }
  new window.Chart(el, {
    type: "bar",
    data: {
      labels: JSON.parse(el.dataset.labels),
      datasets: [
        { label: "收到（办理中）", data: JSON.parse(el.dataset.incoming), backgroundColor: "#0d6efd" },
        { label: "发出（办理中）", data: JSON.parse(el.dataset.outgoing), backgroundColor: "#fd7e14" }
      ]
    },
    options: { indexAxis: "y", responsive: true, scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true } } }
  });
})();
