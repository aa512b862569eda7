// anjeon: the language toggle alone (pages without the drill-down table)
(function () {
  "use strict";
  var root = document.documentElement, button = document.getElementById("lang-toggle");
  button.addEventListener("click", function () {
    var l = root.classList.contains("lang-ko") ? "en" : "ko";
    root.classList.remove("lang-en", "lang-ko");
    root.classList.add("lang-" + l);
    root.setAttribute("lang", l);
  });
})();
