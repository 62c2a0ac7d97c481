// A grid's comparison table (grid_detail.html): the head row follows the page down, and each
// package column can be hidden or moved left and right without a reload.
// The choices live in the address's fragment (#hide=a,b&order=c,a,b, package slugs), so a
// reload or a shared link keeps them and another column order (?sort=) starts afresh.
// Without JavaScript every column shows and the head row scrolls away with the page.
(function () {
  "use strict";

  var table = document.querySelector("table.matrix");
  if (!table || !table.tHead) return;
  var box = table.closest(".matrix-scroll");
  var head = table.tHead;

  // --- The head row follows the page: the box scrolls sideways, so CSS sticky cannot. ---
  var pending = false;
  function placeHead() {
    pending = false;
    var top = table.getBoundingClientRect().top;
    var room = table.offsetHeight - head.offsetHeight;
    var shift = Math.max(0, Math.min(-top, room));
    head.style.transform = shift > 0 ? "translateY(" + shift + "px)" : "";
  }
  function schedule() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(placeHead);
    }
  }
  window.addEventListener("scroll", schedule, { passive: true });
  window.addEventListener("resize", schedule);

  // --- Columns: index 0 is the row headings; package columns follow. ---
  function heads() {
    return Array.prototype.slice.call(head.rows[0].cells, 1);
  }
  function slugOf(th) {
    var link = th.querySelector("a");
    var parts = link ? link.pathname.split("/").filter(Boolean) : [];
    return parts.length ? decodeURIComponent(parts[parts.length - 1]) : "";
  }
  function titleOf(th) {
    var link = th.querySelector("a");
    return link ? link.textContent.trim() : slugOf(th);
  }
  function eachCell(index, visit) {
    Array.prototype.forEach.call(table.rows, function (row) {
      if (row.cells[index]) visit(row.cells[index], row);
    });
  }

  function readState() {
    var fragment = new URLSearchParams(window.location.hash.slice(1));
    function list(name) {
      var value = fragment.get(name);
      return value ? value.split(",").filter(Boolean) : [];
    }
    return { hide: list("hide"), order: list("order"), show: fragment.get("show") || "" };
  }
  var moved = false;
  function writeState() {
    var hidden = [];
    var order = [];
    heads().forEach(function (th) {
      var slug = slugOf(th);
      order.push(slug);
      if (th.classList.contains("column-hidden")) hidden.push(slug);
    });
    var parts = [];
    if (hidden.length) parts.push("hide=" + hidden.map(encodeURIComponent).join(","));
    if (moved) parts.push("order=" + order.map(encodeURIComponent).join(","));
    if (picked && picked !== order[0]) parts.push("show=" + encodeURIComponent(picked));
    var url = window.location.pathname + window.location.search + (parts.length ? "#" + parts.join("&") : "");
    window.history.replaceState(window.history.state, "", url);
    if (moved) fillPicker();
    showBar(hidden.length);
  }

  function setHidden(th, hidden) {
    var index = th.cellIndex;
    eachCell(index, function (cell) {
      cell.classList.toggle("column-hidden", hidden);
    });
  }
  function move(from, to) {
    // Move column `from` to just before column `to` (both table indexes; to may be past the end).
    Array.prototype.forEach.call(table.rows, function (row) {
      var cell = row.cells[from];
      if (cell) row.insertBefore(cell, row.cells[to] || null);
    });
  }

  // --- The bar above the table: how many columns are hidden, and "show all columns". ---
  var bar = document.createElement("div");
  bar.className = "column-tools-bar";
  bar.hidden = true;
  var count = document.createElement("span");
  count.setAttribute("role", "status");
  var showAll = document.createElement("button");
  showAll.type = "button";
  showAll.className = "secondary outline";
  showAll.textContent = "Show all columns";
  bar.appendChild(count);
  bar.appendChild(showAll);
  (box || table).parentNode.insertBefore(bar, box || table);
  function showBar(hiddenCount) {
    bar.hidden = hiddenCount === 0 && !moved;
    count.textContent = hiddenCount
      ? hiddenCount + (hiddenCount === 1 ? " column hidden." : " columns hidden.")
      : "Columns moved.";
  }
  showAll.addEventListener("click", function () {
    heads().forEach(function (th) {
      setHidden(th, false);
    });
    if (moved) {
      // Back to the order the page came in.
      original.forEach(function (th, position) {
        var now = th.cellIndex;
        if (now !== position + 1) move(now, position + 1);
      });
      moved = false;
    }
    writeState();
    var first = heads()[0];
    if (first) first.querySelector("button").focus();
  });

  // --- Each column's buttons. ---
  function button(label, text, action) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "secondary outline";
    element.textContent = text;
    element.setAttribute("aria-label", label);
    element.dataset.columnAction = action;
    return element;
  }
  var original = heads();
  original.forEach(function (th) {
    var title = titleOf(th);
    var tools = document.createElement("div");
    tools.className = "column-tools";
    tools.appendChild(button("Move " + title + " left", "←", "left"));
    tools.appendChild(button("Hide " + title, "Hide", "hide"));
    tools.appendChild(button("Move " + title + " right", "→", "right"));
    th.appendChild(tools);
  });
  head.addEventListener("click", function (event) {
    var target = event.target.closest("button[data-column-action]");
    if (!target) return;
    var th = target.closest("th");
    var index = th.cellIndex;
    var last = head.rows[0].cells.length - 1;
    var action = target.dataset.columnAction;
    if (action === "hide") {
      setHidden(th, true);
      writeState();
      showAll.focus();
      return;
    }
    if (action === "left" && index > 1) {
      move(index, index - 1);
      moved = true;
    } else if (action === "right" && index < last) {
      move(index + 1, index);
      moved = true;
    }
    writeState();
    target.focus();
  });

  // --- The choices in the address, applied once. ---
  var state = readState();
  if (state.order.length) {
    var bySlug = {};
    heads().forEach(function (th) {
      bySlug[slugOf(th)] = th;
    });
    var position = 1;
    state.order.forEach(function (slug) {
      var th = bySlug[slug];
      if (!th) return;
      if (th.cellIndex !== position) move(th.cellIndex, position);
      position += 1;
    });
    moved = true;
  }
  if (state.hide.length) {
    heads().forEach(function (th) {
      if (state.hide.indexOf(slugOf(th)) !== -1) setHidden(th, true);
    });
  }

  // --- On a phone (CSS, <= 600 px): one package at a time, chosen with a picker. ---
  var picked = "";
  var picker = document.createElement("div");
  picker.className = "package-picker";
  var pickerId = "package-picker-select";
  var pickerLabel = document.createElement("label");
  pickerLabel.htmlFor = pickerId;
  pickerLabel.textContent = "Package";
  var select = document.createElement("select");
  select.id = pickerId;
  var previous = button("Previous package", "←", "previous");
  var next = button("Next package", "→", "next");
  picker.appendChild(pickerLabel);
  picker.appendChild(previous);
  picker.appendChild(select);
  picker.appendChild(next);
  (box || table).parentNode.insertBefore(picker, box || table);
  function fillPicker() {
    select.textContent = "";
    heads().forEach(function (th) {
      var option = document.createElement("option");
      option.value = slugOf(th);
      option.textContent = titleOf(th);
      select.appendChild(option);
    });
    select.value = picked;
  }
  function pick(slug) {
    var chosen = null;
    heads().forEach(function (th) {
      if (slugOf(th) === slug) chosen = th;
    });
    if (!chosen) chosen = heads()[0];
    if (!chosen) return;
    picked = slugOf(chosen);
    Array.prototype.forEach.call(table.querySelectorAll(".column-picked"), function (cell) {
      cell.classList.remove("column-picked");
    });
    eachCell(chosen.cellIndex, function (cell) {
      cell.classList.add("column-picked");
    });
    select.value = picked;
    var index = select.selectedIndex;
    previous.disabled = index <= 0;
    next.disabled = index >= select.options.length - 1;
  }
  select.addEventListener("change", function () {
    pick(select.value);
    writeState();
  });
  picker.addEventListener("click", function (event) {
    var target = event.target.closest("button[data-column-action]");
    if (!target) return;
    var index = select.selectedIndex + (target.dataset.columnAction === "next" ? 1 : -1);
    if (index < 0 || index >= select.options.length) return;
    pick(select.options[index].value);
    writeState();
    target.focus();
  });
  table.classList.add("one-package");
  fillPicker();
  pick(state.show);

  if (state.order.length || state.hide.length || state.show) writeState();
  placeHead();
})();
