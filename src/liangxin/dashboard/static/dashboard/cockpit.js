/* 驾驶舱: each card fetches its chart's JSON and draws it with ECharts; 表格 shows the same rows. */
(function () {
  "use strict";
  var KINDS = { coverage: "bar", months: "line", should_build: "bar", lights: "ring", reporting: "hbar", lagging: "table" };
  var LIGHT_COLORS = { done: "#2f6fd6", green: "#2e9d4b", yellow: "#e0a100", red: "#d13c3c" };

  function table(data) {
    var t = document.createElement("table");
    t.className = "data-table";
    var cap = t.createCaption(); cap.textContent = data.title;
    var head = t.createTHead().insertRow();
    data.headers.forEach(function (h) { var th = document.createElement("th"); th.scope = "col"; th.textContent = h; head.appendChild(th); });
    var body = t.createTBody();
    data.rows.forEach(function (r) {
      var tr = body.insertRow();
      r.slice(0, data.headers.length).forEach(function (v) { tr.insertCell().textContent = v; });
    });
    return t;
  }

  function option(kind, data) {
    var names = data.rows.map(function (r) { return r[0]; });
    var count = data.series || data.headers.length - 1;  // later columns (e.g. 数据来源) are table-only
    var series = data.headers.slice(1, 1 + count).map(function (h, i) {
      return { name: h, type: kind === "line" ? "line" : "bar", data: data.rows.map(function (r) { return r[i + 1]; }) };
    });
    if (kind === "ring") {
      return { tooltip: {}, legend: { bottom: 0 }, series: [{ type: "pie", radius: ["40%", "70%"],
        data: data.rows.map(function (r, i) { return { name: r[0], value: r[1], itemStyle: { color: LIGHT_COLORS[data.codes[i]] } }; }) }] };
    }
    if (kind === "hbar") {
      return { tooltip: {}, legend: {}, grid: { left: 140 }, xAxis: { type: "value", max: 100 },
        yAxis: { type: "category", data: names, inverse: true }, series: series };
    }
    var percent = data.headers[1].indexOf("%") >= 0;
    return { tooltip: { trigger: "axis" }, legend: {}, xAxis: { type: "category", data: names },
      yAxis: percent ? { type: "value", max: 100 } : { type: "value", minInterval: 1 }, series: series };
  }

  function draw(card) {
    var chart = card.dataset.chart, kind = KINDS[chart];
    fetch(card.dataset.url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    }).catch(function () {
      var empty = card.querySelector(".cockpit-empty");
      empty.textContent = "数据加载失败，请刷新页面重试";
      empty.hidden = false;
      card.querySelector(".cockpit-chart").hidden = true;
      return null;
    }).then(function (data) {
      if (!data) { return; }
      card.querySelector(".cockpit-title").textContent = data.title;
      var wrap = card.querySelector(".cockpit-table");
      wrap.replaceChildren(table(data));
      if (!data.rows.length) { card.querySelector(".cockpit-empty").hidden = false; card.querySelector(".cockpit-chart").hidden = true; return; }
      if (kind === "table") { card.classList.add("show-table"); card.querySelector(".cockpit-toggle").style.display = "none"; return; }
      var el = card.querySelector(".cockpit-chart");
      var instance = echarts.init(el);
      instance.setOption(option(kind, data));
      if (data.links) {
        instance.on("click", function (p) {
          var link = data.links[p.dataIndex];
          if (link) { window.location.href = link; }
        });
      }
      window.addEventListener("resize", function () { instance.resize(); });
    });
  }

  document.querySelectorAll(".cockpit-card").forEach(function (card) {
    card.querySelector(".cockpit-toggle").addEventListener("click", function () {
      var on = card.classList.toggle("show-table");
      this.setAttribute("aria-pressed", on ? "true" : "false");
    });
    draw(card);
  });
})();
