// casesys: follow a batch print (/documents/batches/<id>) until its PDF is ready.
(function () {
  "use strict";
  var box = document.getElementById("batch");
  if (!box) { return; }
  function show(s) {
    box.querySelector(".progress-bar").style.width = (s.total ? 100 * s.done / s.total : 0) + "%";
    box.querySelector("[role=progressbar]").setAttribute("aria-valuenow", s.done);
    document.getElementById("batch-text").textContent = s.done + " / " + s.total;
    var result = document.getElementById("batch-result");
    if (s.status === "finished") {
      var link = document.createElement("a");
      link.className = "btn btn-primary";
      link.href = box.dataset.pdfUrl;
      link.textContent = "下载合并的PDF";
      result.replaceChildren(link);
    } else if (s.status === "failed") {
      result.textContent = "生成失败：" + s.error;
    }
    return s.status === "finished" || s.status === "failed";
  }
  function poll() {
    fetch(box.dataset.progressUrl, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) { if (!show(s)) { setTimeout(poll, 1000); } })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
