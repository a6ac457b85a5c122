(function () {
  "use strict";
  var navLinks = document.querySelectorAll("nav.views a");
  function markView() {
    var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    var view = target && target.closest ? target.closest(".view") : null;
    var current = "#" + (view ? view.id : "summary");
    Array.prototype.forEach.call(navLinks, function (a) {
      if (a.getAttribute("href") === current) { a.setAttribute("aria-current", "page"); }
      else { a.removeAttribute("aria-current"); }
    });
  }
  window.addEventListener("hashchange", markView);
  markView();
  var bars = document.querySelectorAll("[data-filter-for]");
  Array.prototype.forEach.call(bars, function (bar) {
    var list = document.getElementById(bar.getAttribute("data-filter-for"));
    if (!list) { return; }
    var items = list.querySelectorAll("[data-item]");
    var groups = list.querySelectorAll("[data-group]");
    var selects = bar.querySelectorAll("select[data-key]");
    var counter = bar.querySelector("output");
    var reset = bar.querySelector("button[data-reset]");
    function apply() {
      var wanted = [];
      Array.prototype.forEach.call(selects, function (s) {
        if (s.value) { wanted.push(["data-" + s.getAttribute("data-key"), s.value]); }
      });
      var shown = 0;
      Array.prototype.forEach.call(items, function (item) {
        var keep = wanted.every(function (w) { return item.getAttribute(w[0]) === w[1]; });
        item.hidden = !keep;
        if (keep) { shown += 1; }
      });
      Array.prototype.forEach.call(groups, function (group) {
        group.hidden = !group.querySelector("[data-item]:not([hidden])");
      });
      if (counter) { counter.textContent = shown + " of " + items.length + " shown"; }
    }
    Array.prototype.forEach.call(selects, function (s) { s.addEventListener("change", apply); });
    if (reset) {
      reset.addEventListener("click", function () {
        Array.prototype.forEach.call(selects, function (s) { s.value = ""; });
        apply();
      });
    }
    bar.hidden = false;
    if (counter) { counter.textContent = items.length + " of " + items.length + " shown"; }
  });
})();
