// Search boxes: "/" focuses the box, arrow keys move through the live suggestions, Escape
// closes them. The suggestions themselves come from htmx (see includes/header_search.html);
// without JavaScript the form still submits to the results page.
(function () {
  "use strict";
  if (window.packyardSearch) return;
  window.packyardSearch = true;

  function typingInField(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function boxes() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-search-box]"), function (box) {
      return box.offsetParent !== null;
    });
  }

  function listOf(form) {
    return form.querySelector("[data-search-suggestions]");
  }

  function links(form) {
    var list = listOf(form);
    return list ? Array.prototype.slice.call(list.querySelectorAll("[data-suggestion]")) : [];
  }

  function close(form) {
    var list = listOf(form);
    if (list) list.innerHTML = "";
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typingInField(event.target)) {
      var box = boxes()[0];
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      }
      return;
    }
    var form = event.target && event.target.closest ? event.target.closest("[data-search]") : null;
    if (!form) return;
    var items = links(form);
    var box = form.querySelector("[data-search-box]");
    var index = items.indexOf(event.target);
    if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      items[Math.min(index + 1, items.length - 1)].focus();
    } else if (event.key === "ArrowUp" && index >= 0) {
      event.preventDefault();
      if (index === 0) box.focus(); else items[index - 1].focus();
    } else if (event.key === "Escape") {
      close(form);
      if (box) box.focus();
    }
  });

  // A click outside a search form closes its suggestions.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("[data-search]").forEach(function (form) {
      if (!form.contains(event.target)) close(form);
    });
  });

  // An emptied box closes its suggestions at once, before the debounced request answers.
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-search-box]") && !event.target.value.trim()) {
      close(event.target.closest("[data-search]"));
    }
  });
})();
