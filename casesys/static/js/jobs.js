// casesys: follow a background job's progress (/jobs/<id>) until it ends.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-url]");
  if (!box) { return; }
  function show(s) {
    box.querySelector("[data-job-bar]").style.width = s.percent + "%";
    box.querySelector("[role=progressbar]").setAttribute("aria-valuenow", s.percent);
    box.querySelector("[data-job-state]").textContent = s.state_label;
    box.querySelector("[data-job-count]").textContent = s.done + (s.total ? " / " + s.total : "");
    box.querySelector("[data-job-attempts]").textContent = s.attempts + " / " + s.max_attempts;
    box.querySelector("[data-job-error] pre").textContent = s.last_error || "";
    var download = box.querySelector("[data-job-download]");
    if (download) { download.hidden = s.state !== "done"; }
  }
  function poll() {
    fetch(box.dataset.jobUrl, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) { show(s); if (!s.finished) { setTimeout(poll, 1500); } })
      .catch(function () { setTimeout(poll, 5000); });
  }
  poll();
})();
