// casesys: follow a ledger check or import while it runs, then show its report.
(function () {
  "use strict";
  var box = document.querySelector("[data-ledger-job]");
  if (!box) { return; }
  function poll() {
    fetch(box.dataset.ledgerJob, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.finished) { window.location.reload(); return; }
        box.querySelector("[data-job-bar]").style.width = s.percent + "%";
        box.querySelector("[data-job-state]").textContent = s.state_label;
        box.querySelector("[data-job-count]").textContent = s.done + (s.total ? " / " + s.total : "");
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
