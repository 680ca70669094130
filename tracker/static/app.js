/* The pages' small behaviours: searchable pickers, date pickers, select-all, page size, copying a link.
   Served from 'self' (the CSP allows no inline script); every form still submits plain values without it. */
(function () {
  "use strict";

  var lang = (document.documentElement.lang || "vi").slice(0, 2);

  /* Lower case without Vietnamese accents, as tracker/text.py folds: "Hoàn Kiếm" -> "hoan kiem". */
  function fold(text) {
    return String(text || "").toLowerCase().replace(/đ/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  /* data-lookup-from="province:#f-province": the lookup also sends that field's value as `province`. */
  function source(select) {
    var spec = (select.dataset.lookupFrom || "").split(":");
    var field = spec.length === 2 && document.querySelector(spec[1]);
    return field ? { param: spec[0], field: field } : null;
  }

  function lookupUrl(select, query) {
    var url = new URL(select.dataset.lookup, window.location.href);
    url.searchParams.set("q", query);
    var from = source(select);
    if (from && from.field.value) {
      url.searchParams.set(from.param, from.field.value);
    }
    return url;
  }

  /* A Tom Select over a <select>: its options stay (All, Me...), a data-lookup URL adds what the server
     finds as one types (never the 3,321 communes at once). */
  function picker(select) {
    var settings = {
      valueField: "value",
      labelField: "text",
      searchField: ["text"],
      allowEmptyOption: true,
      maxOptions: 60,
      create: false,
      closeAfterSelect: !select.multiple,
      clearAfterSelect: true,
      plugins: select.multiple ? ["remove_button"] : [],
      score: function (query) {
        var words = fold(query).split(/\s+/).filter(Boolean);
        return function (item) {
          var text = fold(item.text + " " + item.value + " " + (item.detail || ""));
          return words.every(function (word) { return text.indexOf(word) >= 0; }) ? 1 : 0;
        };
      },
      render: {
        option: function (item, escape) {
          var detail = item.detail ? '<small class="d-block text-body-secondary">' + escape(item.detail) + "</small>" : "";
          return "<div>" + escape(item.text) + detail + "</div>";
        },
        item: function (item, escape) { return "<div>" + escape(item.text) + "</div>"; },
        no_results: function () { return '<div class="no-results">' + (select.dataset.empty || "") + "</div>"; }
      }
    };
    if (select.dataset.lookup) {
      settings.preload = "focus";
      settings.load = function (query, callback) {
        fetch(lookupUrl(select, query), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { callback(data.results); })
          .catch(function () { callback(); });
      };
    }
    var control = new window.TomSelect(select, settings);  /* also reachable as select.tomselect */
    /* Tom Select points the label at its own field; the hidden original keeps a name for screen readers. */
    var label = document.getElementById(select.id + "-ts-label");
    if (label) { select.setAttribute("aria-labelledby", label.id); }
    return control;
  }

  /* A picker that depends on another (communes of a province, specialists of a unit): when that one
     changes, forget what was loaded for the old value. */
  function linkSource(select) {
    var from = source(select);
    if (!from) { return; }
    from.field.addEventListener("change", function () {
      var control = select.tomselect;  /* Tom Select keeps itself there */
      if (!control) { return; }
      control.clear(true);
      control.clearOptions();
      control.loadedSearches = {};
      control.wrapper.classList.remove("preloaded");
    });
  }

  /* A calendar beside a dd/mm/yyyy text field: the field stays free to type in (the server reads it); a
     date picked in the calendar is written into it. */
  function datePicker(input) {
    var Datepicker = window.Datepicker;
    if (!Datepicker) { return; }
    var format = "dd/mm/yyyy";
    var language = lang === "vi" ? "vi" : "en";
    var group = document.createElement("div");
    group.className = "input-group date-group" + (input.classList.contains("form-control-sm") ? " input-group-sm" : "");
    input.parentNode.insertBefore(group, input);
    group.appendChild(input);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary";
    button.setAttribute("aria-label", input.dataset.date || "Calendar");
    button.setAttribute("aria-expanded", "false");
    button.innerHTML = '<i class="bi bi-calendar3" aria-hidden="true"></i>';
    group.appendChild(button);
    var popup = document.createElement("div");
    popup.className = "date-popup d-none";
    group.appendChild(popup);
    var calendar = new Datepicker(popup, { language: language, format: format, weekStart: 1, todayHighlight: true });
    var syncing = false;

    function show(open) {
      popup.classList.toggle("d-none", !open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () {
      var opening = popup.classList.contains("d-none");
      if (opening) {
        var typed = Datepicker.parseDate(input.value, format, language);
        syncing = true;
        calendar.setDate(typed ? typed : { clear: true });
        syncing = false;
      }
      show(opening);
    });
    popup.addEventListener("changeDate", function (event) {
      if (syncing || !event.detail.date) { return; }
      input.value = Datepicker.formatDate(event.detail.date, format, language);
      input.dispatchEvent(new Event("change", { bubbles: true }));
      show(false);
      input.focus();
    });
    document.addEventListener("click", function (event) {
      if (!group.contains(event.target)) { show(false); }
    });
    group.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { show(false); button.focus(); }
    });
  }

  /* "Select all on this page": the header checkbox ticks every row's box and says how many are chosen. */
  function selectAll(box) {
    var form = box.form || box.closest("form");
    var boxes = function () { return form.querySelectorAll("input[type=checkbox][name=tickets]"); };
    var counter = form.querySelector("[data-selected-count]");
    function show() {
      var all = boxes();
      var chosen = Array.prototype.filter.call(all, function (b) { return b.checked; }).length;
      box.checked = all.length > 0 && chosen === all.length;
      box.indeterminate = chosen > 0 && chosen < all.length;
      if (counter) { counter.textContent = counter.dataset.template.replace("{n}", chosen); }
    }
    box.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = box.checked; });
      show();
    });
    form.addEventListener("change", function (event) {
      if (event.target.name === "tickets") { show(); }
    });
    show();
  }

  function copyLink(button) {
    button.addEventListener("click", function () {
      var link = new URL(button.dataset.copy, window.location.href).href;
      var done = function () { button.classList.add("copied"); button.setAttribute("title", button.dataset.done || ""); };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(link).then(done, function () { window.prompt("", link); });
      } else {
        window.prompt("", link);
      }
    });
  }

  /* A filter form sends only the filters that are set: short links, good to bookmark and share. */
  function cleanQuery(form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && !field.value && !field.disabled) { field.disabled = true; }
      });
      window.setTimeout(function () {  /* usable again if the page stays (e.g. the back button) */
        Array.prototype.forEach.call(form.elements, function (field) { field.disabled = false; });
      }, 0);
    });
  }

  function ready() {
    if (window.TomSelect) {
      document.querySelectorAll("select[data-picker]").forEach(picker);
      document.querySelectorAll("select[data-lookup-from]").forEach(linkSource);
    }
    document.querySelectorAll("input[data-date]").forEach(datePicker);
    document.querySelectorAll("input[data-select-all]").forEach(selectAll);
    document.querySelectorAll("[data-copy]").forEach(copyLink);
    document.querySelectorAll("form[data-clean-query]").forEach(cleanQuery);
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
}());
