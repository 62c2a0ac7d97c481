// Search boxes: "/" focuses the box; the live suggestions are an ARIA combobox's listbox:
// arrow keys move through them, Enter opens one, Escape closes them. The suggestions themselves come from htmx (see includes/header_search.html);
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

  function boxOf(form) {
    return form.querySelector("[data-search-box]");
  }

  // The box is an ARIA combobox (WAI-ARIA 1.2, list autocomplete): the suggestions are its
  // listbox, each link an option; arrow keys move the active option while the cursor stays in
  // the box (aria-activedescendant), Enter opens it, Escape closes the list.
  function setUp(form) {
    var box = boxOf(form);
    var list = listOf(form);
    if (!box || !list) return;
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    var listbox = list.querySelector("ul");
    var options = links(form);
    if (listbox && options.length) {
      listbox.id = list.id + "-list";
      listbox.setAttribute("role", "listbox");
      listbox.querySelectorAll("li").forEach(function (item) { item.setAttribute("role", "none"); });
      options.forEach(function (option, index) {
        option.id = list.id + "-option-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.tabIndex = -1;
      });
      box.setAttribute("aria-controls", listbox.id);
      box.setAttribute("aria-expanded", "true");
    } else {
      box.removeAttribute("aria-controls");
      box.setAttribute("aria-expanded", "false");
    }
    box.removeAttribute("aria-activedescendant");
  }

  function activate(form, index) {
    var box = boxOf(form);
    var options = links(form);
    options.forEach(function (option, at) {
      var on = at === index;
      option.setAttribute("aria-selected", on ? "true" : "false");
      option.classList.toggle("active", on);
      if (on) option.scrollIntoView({ block: "nearest" });
    });
    if (index >= 0 && options[index]) box.setAttribute("aria-activedescendant", options[index].id);
    else box.removeAttribute("aria-activedescendant");
  }

  function activeIndex(form) {
    var id = boxOf(form).getAttribute("aria-activedescendant");
    return links(form).findIndex(function (option) { return option.id === id; });
  }

  function close(form) {
    var list = listOf(form);
    if (list) list.innerHTML = "";
    if (form) setUp(form);
  }

  document.querySelectorAll("[data-search]").forEach(setUp);
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var form = event.target && event.target.closest ? event.target.closest("[data-search]") : null;
    if (form) setUp(form);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typingInField(event.target)) {
      var first = boxes()[0];
      if (first) {
        event.preventDefault();
        first.focus();
        first.select();
      }
      return;
    }
    var form = event.target && event.target.closest ? event.target.closest("[data-search]") : null;
    if (!form || event.target !== boxOf(form)) return;
    var options = links(form);
    var index = activeIndex(form);
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      activate(form, Math.min(index + 1, options.length - 1));
    } else if (event.key === "ArrowUp" && options.length) {
      event.preventDefault();
      activate(form, index - 1);
    } else if (event.key === "Enter" && index >= 0) {
      event.preventDefault();
      window.location.href = options[index].href;
    } else if (event.key === "Escape") {
      close(form);
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
