/* The dashboard's charts (Chart.js, served by the app) and sortable tables. The numbers come from the
   page's JSON block; each chart has the same numbers as a table beside it. */
(function () {
  "use strict";
  var COLOURS = ["#0b5ed7", "#198754", "#dc3545", "#fd7e14", "#6f42c1"];
  var block = document.getElementById("dashboard-data");
  if (!block) { return; }
  var data = JSON.parse(block.textContent);

  function datasets(series, kind) {
    return series.map(function (s, i) {
      return {label: s.label, data: s.data, backgroundColor: COLOURS[i % COLOURS.length],
              borderColor: COLOURS[i % COLOURS.length], fill: false, tension: 0.2,
              type: kind === "line" && i === 2 ? "line" : undefined};
    });
  }

  function draw(id, chart, kind, horizontal) {
    var canvas = document.getElementById(id);
    if (!canvas || typeof Chart === "undefined") { return; }
    new Chart(canvas, {
      type: "bar",
      data: {labels: chart.labels, datasets: datasets(chart.series, kind)},
      options: {
        indexAxis: horizontal ? "y" : "x", responsive: true, maintainAspectRatio: false, animation: false,
        plugins: {legend: {position: "bottom"}},
        scales: {x: {beginAtZero: true, ticks: {precision: 0}}, y: {beginAtZero: true, ticks: {precision: 0, autoSkip: false}}}
      }
    });
  }

  draw("chart-trend", data.trend, "line", false);
  draw("chart-category", data.category, "bar", true);
  draw("chart-locality", data.locality, "bar", true);
  draw("chart-unit", data.unit, "bar", true);

  function value(cell) {
    var text = cell.textContent.replace(/\s+/g, " ").trim();
    var number = parseFloat(text.replace(",", "."));
    return isNaN(number) ? text : number;
  }

  function sortBy(table, column, button) {
    var body = table.tBodies[0];
    var header = button.closest("th");
    var descending = header.getAttribute("aria-sort") !== "descending";
    table.querySelectorAll("th[aria-sort]").forEach(function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
    Array.prototype.slice.call(body.rows).map(function (row) {
      return {row: row, key: value(row.cells[column])};
    }).sort(function (a, b) {
      var x = a.key, y = b.key;
      if (typeof x === "number" && typeof y !== "number") { return -1; }
      if (typeof y === "number" && typeof x !== "number") { return 1; }
      var order = typeof x === "number" ? x - y : String(x).localeCompare(String(y), "vi");
      return descending ? -order : order;
    }).forEach(function (item) { body.appendChild(item.row); });
  }

  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th, column) {
      var button = th.querySelector(".sort-button");
      if (button) { button.addEventListener("click", function () { sortBy(table, column, button); }); }
    });
  });
}());
