// The package page: a "Copy" button beside the `pip install` line (hidden without script,
// where the line is plain text to select). No inline script: the CSP allows only files.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.setAttribute("aria-label", "Copy “" + source.textContent + "”");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent).then(
        function () { button.textContent = "Copied"; },
        function () { button.textContent = "Select the line to copy it"; }
      );
    });
  });
})();
