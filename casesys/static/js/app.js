// casesys: repeatable form rows (parties, patents, evidence) and small helpers.
(function () {
  "use strict";

  function nextIndex(list) {
    var max = -1;
    list.querySelectorAll("[data-index]").forEach(function (row) {
      max = Math.max(max, parseInt(row.dataset.index, 10));
    });
    return max + 1;
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      var name = add.dataset.addRow;
      var list = document.querySelector('[data-formset="' + name + '"]');
      var template = document.getElementById("template-" + name);
      var index = nextIndex(list);
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      list.insertAdjacentHTML("beforeend", html);
      var row = list.lastElementChild;
      var first = row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      remove.closest(".formset-item").remove();
    }
  });

  // Show the ID-number or the credit-code box according to the party kind.
  function syncPartyKind(select) {
    var row = select.closest(".party-row");
    if (!row) { return; }
    var person = select.value === "person";
    row.querySelectorAll("[data-for-kind]").forEach(function (box) {
      box.hidden = (box.dataset.forKind === "person") !== person;
    });
  }
  // A person is 个人 for the statistics; an organisation is not.
  function defaultEnterpriseType(select) {
    var row = select.closest(".party-row");
    var type = row && row.querySelector("select[name$='enterprise_type']");
    if (!type) { return; }
    if (select.value === "person") { type.value = "individual"; }
    else if (type.value === "individual") { type.value = "private"; }
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[name$='-kind'], select[name='kind']")) {
      syncPartyKind(event.target);
      defaultEnterpriseType(event.target);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[name$='-kind'], .party-row select[name='kind']").forEach(syncPartyKind);
  });
  document.addEventListener("click", function () {
    // rows added later: keep their code boxes in line with their kind
    setTimeout(function () {
      document.querySelectorAll(".party-row select[name$='-kind']").forEach(syncPartyKind);
    }, 0);
  });
})();

// Text areas that grow with their text (documents), and the service form
// filling the address of the chosen party.
(function () {
  "use strict";
  function grow(area) {
    area.style.height = "auto";
    area.style.height = (area.scrollHeight + 2) + "px";
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches("textarea.auto-grow")) { grow(event.target); }
  });
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-fill-address]");
    if (!select) { return; }
    var addresses = JSON.parse(select.dataset.fillAddress || "{}");
    var input = select.form && select.form.querySelector("[name='address']");
    if (input && addresses[select.value] !== undefined) { input.value = addresses[select.value]; }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea.auto-grow").forEach(grow);
  });
})();

// Lists become cards on phones: each cell carries its column's name.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.querySelectorAll("table.table-cards").forEach(function (table) {
    var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (names[index] && !cell.hasAttribute("colspan")) { cell.dataset.label = names[index]; }
      });
    });
  });
});

// A「全选」box (data-select-all="name") ticks or clears the boxes of that name
// in its form; progress bars take their width from data-percent (no style
// attributes under the Content Security Policy).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var all = event.target.closest("input[data-select-all]");
    if (!all) { return; }
    var scope = all.form || document;
    scope.querySelectorAll('input[type=checkbox][name="' + all.dataset.selectAll + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-percent]").forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, parseFloat(bar.dataset.percent) || 0)) + "%";
    });
  });
})();
