/* Cookie banner for the demo clinic site: remembers the visitor's choice in localStorage. */
(function () {
  "use strict";
  var banner = document.getElementById("cookie-banner");
  if (!banner) { return; }
  var key = "northfield-cookie-choice";
  try {
    if (window.localStorage.getItem(key)) { banner.hidden = true; return; }
  } catch (e) { /* storage unavailable: show the banner every time */ }
  banner.addEventListener("click", function (event) {
    var choice = event.target && event.target.getAttribute("data-cookie");
    if (!choice) { return; }
    try { window.localStorage.setItem(key, choice); } catch (e) { /* ignore */ }
    banner.hidden = true;
  });
})();

function openFinanceCalculator() {
  window.alert("Our finance calculator is being updated. Please call 0113 496 0732 for a quote.");
}
