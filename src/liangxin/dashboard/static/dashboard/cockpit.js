/* 驾驶舱: the tiles and each card fetch their JSON and draw it with ECharts; 表格 shows the same
   rows as the server wrote them (data.display: “40.0%”). The same script serves the 大屏 page. */
(function () {
  "use strict";
  var KINDS = { coverage: "bar", months: "line", should_build: "bar", lights: "ring", reporting: "hbar", lagging: "table", sentinel: "table",
    pairings: "bar", integration: "radar", brands: "stages" };
  var STAGE_COLORS = ["#9db6d8", "#e0a100", "#2e9d4b", "#2f6fd6"];  // 计划, 创建中, 已建成, 已命名
  var LIGHT_COLORS = { done: "#2f6fd6", green: "#2e9d4b", yellow: "#e0a100", red: "#d13c3c" };
  var SCREEN = document.body.classList.contains("cockpit-screen");
  var TEXT = SCREEN ? "#dfe9f7" : "#333";
  var charts = [];

  function table(data) {
    var t = document.createElement("table");
    t.className = "data-table";
    var cap = t.createCaption(); cap.textContent = data.title;
    var head = t.createTHead().insertRow();
    data.headers.forEach(function (h) { var th = document.createElement("th"); th.scope = "col"; th.textContent = h; head.appendChild(th); });
    var body = t.createTBody();
    (data.display || data.rows).forEach(function (r) {
      var tr = body.insertRow();
      r.slice(0, data.headers.length).forEach(function (v) { tr.insertCell().textContent = v === null ? "—" : v; });
    });
    return t;
  }

  function valueLabel(extra) {
    var label = { show: true, color: TEXT, fontSize: SCREEN ? 11 : 10 };
    Object.keys(extra || {}).forEach(function (k) { label[k] = extra[k]; });
    return label;
  }

  function option(kind, data) {
    var names = data.rows.map(function (r) { return r[0]; });
    var count = data.series || data.headers.length - 1;  // later columns (e.g. 数据来源) are table-only
    var percent = data.headers[1].indexOf("%") >= 0;
    var base = { backgroundColor: "transparent", textStyle: { color: TEXT }, tooltip: { trigger: kind === "ring" ? "item" : "axis" },
      legend: { top: 0, textStyle: { color: TEXT } } };
    if (kind === "ring") {
      base.legend = { bottom: 0, textStyle: { color: TEXT } };
      base.title = { text: data.expected + "个", subtext: "应报送", left: "center", top: "38%",
        textStyle: { color: TEXT, fontSize: 22 }, subtextStyle: { color: TEXT } };
      base.series = [{ type: "pie", radius: ["42%", "68%"], center: ["50%", "46%"],
        label: { color: TEXT, formatter: "{b} {c}个" },
        data: data.rows.map(function (r, i) { return { name: r[0], value: r[1], itemStyle: { color: LIGHT_COLORS[data.codes[i]] } }; }) }];
      return base;
    }
    if (kind === "stages") {  // the campaign's brands by stage; the units' rows are table-only
      base.tooltip = { trigger: "item" };
      base.legend = { bottom: 0, textStyle: { color: TEXT } };
      base.title = { text: data.total + "个", subtext: "品牌", left: "center", top: "38%",
        textStyle: { color: TEXT, fontSize: 22 }, subtextStyle: { color: TEXT } };
      base.series = [{ type: "pie", radius: ["40%", "62%"], center: ["50%", "46%"], stillShowZeroSum: false,
        label: { color: TEXT, formatter: "{b} {c}个", overflow: "none" },
        data: data.rows.slice(0, data.stages).map(function (r, i) {
          var empty = r[1] === 0;  // a stage without brands: in the legend and the table, no label on the ring
          return { name: r[0], value: r[1], itemStyle: { color: STAGE_COLORS[i] }, label: { show: !empty }, labelLine: { show: !empty } };
        }) }];
      return base;
    }
    if (kind === "radar") {  // five dimensions, 1–5, this year over last year
      base.tooltip = { trigger: "item" };
      base.legend = { bottom: 0, textStyle: { color: TEXT } };
      base.radar = { center: ["50%", "48%"], radius: "62%", axisName: { color: TEXT },
        indicator: names.map(function (n) { return { name: n, min: 0, max: data.max }; }) };
      base.series = [{ type: "radar", data: data.headers.slice(1).map(function (h, i) {
        var values = data.rows.map(function (r) { return r[i + 1] === null ? "-" : r[i + 1]; });
        return { name: h, value: values, label: valueLabel({ show: i === 0, formatter: function (p) { return p.value; } }) };
      }).filter(function (s) { return s.value.some(function (v) { return v !== "-"; }); }) }];
      return base;
    }
    if (kind === "hbar") {
      // 按时报送率 ≤ 报送率: drawn over it in the same row, so every unit keeps a readable row.
      base.grid = { left: 8, right: 48, top: 24, bottom: 4, containLabel: true };
      base.xAxis = { type: "value", max: 100, axisLabel: { color: TEXT } };
      base.yAxis = { type: "category", data: names, inverse: true, axisLabel: { interval: 0, color: TEXT, fontSize: SCREEN ? 11 : 12 } };
      base.series = data.headers.slice(1, 1 + count).map(function (h, i) {
        return { name: h, type: "bar", barGap: "-100%", barCategoryGap: "25%", data: data.rows.map(function (r) { return r[i + 1]; }),
          label: valueLabel(i === 0 ? { position: "right", formatter: "{c}%" }
            : { position: "insideRight", color: "#fff", formatter: function (p) { return p.value >= 12 ? p.value + "%" : ""; } }) };
      });
      return base;
    }
    var line = kind === "line";
    base.grid = { left: 8, right: 16, top: line ? 32 : 64, bottom: 4, containLabel: true };
    base.xAxis = { type: "category", data: line ? names.map(function (d) { return d.slice(0, 7); }) : names,
      // every county's name (interval 0, turned when many); the line's months may thin out on a narrow page
      axisLabel: { interval: line ? "auto" : 0, rotate: line || names.length <= 6 ? 0 : 40, color: TEXT, fontSize: SCREEN ? 11 : 12 } };
    base.yAxis = percent ? { type: "value", max: 100, axisLabel: { color: TEXT } } : { type: "value", minInterval: 1, axisLabel: { color: TEXT } };
    base.series = data.headers.slice(1, 1 + count).map(function (h, i) {
      var s = { name: h, type: line ? "line" : "bar", data: data.rows.map(function (r) { return r[i + 1]; }) };
      if (line) {
        s.label = valueLabel({ show: i === 0, position: "top", formatter: "{c}" });
      } else if (percent) {
        s.label = valueLabel({ position: "top", rotate: 90, align: "left", verticalAlign: "middle", distance: 4, formatter: "{c}" });
      } else {
        s.label = valueLabel({ position: "top", formatter: "{c}" });
      }
      return s;
    });
    return base;
  }

  function fail(card) {
    var empty = card.querySelector(".cockpit-empty");
    empty.textContent = "数据加载失败，请刷新页面重试";
    empty.hidden = false;
    card.querySelector(".cockpit-chart").hidden = true;
  }

  function load(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    });
  }

  function draw(card) {
    var chart = card.dataset.chart, kind = KINDS[chart];
    load(card.dataset.url).catch(function () { fail(card); return null; }).then(function (data) {
      if (!data) { return; }
      card.querySelector(".cockpit-title").textContent = data.title;
      if (data.page && !SCREEN && !card.querySelector(".cockpit-more")) {  // the ledger behind the panel
        var more = document.createElement("a");
        more.className = "btn btn-sm btn-secondary cockpit-more";
        more.href = data.page;
        more.textContent = "查看台账";
        card.querySelector(".card-header").appendChild(more);
      }
      card.querySelector(".cockpit-table").replaceChildren(table(data));
      if (data.note) { var note = card.querySelector(".cockpit-note"); note.textContent = data.note; note.hidden = false; }
      if (!data.rows.length) { card.querySelector(".cockpit-empty").hidden = false; card.querySelector(".cockpit-chart").hidden = true; return; }
      if (kind === "table") {
        card.classList.add("show-table");
        var toggle = card.querySelector(".cockpit-toggle");
        if (toggle) { toggle.style.display = "none"; }
        return;
      }
      var el = card.querySelector(".cockpit-chart");
      if (kind === "hbar" && !SCREEN) { el.style.height = Math.max(320, 26 * data.rows.length + 80) + "px"; }  // a row per unit
      var instance = echarts.init(el, SCREEN ? "dark" : null);
      instance.setOption(option(kind, data));
      charts.push(instance);
      if (data.links) {
        instance.on("click", function (p) {
          var link = data.links[p.dataIndex];
          if (link) { window.location.href = link; }
        });
      }
    });
  }

  function tiles(box) {
    load(box.dataset.url).then(function (data) {
      box.replaceChildren.apply(box, data.tiles.map(function (t) {
        var tile = document.createElement("div");
        tile.className = "cockpit-tile";
        tile.dataset.tile = t.key;
        [["tile-label", t.label], ["tile-value", t.text], ["tile-change " + (t.trend || "none"), "较上月 " + t.change_text]].forEach(function (part) {
          var el = document.createElement("div"); el.className = part[0]; el.textContent = part[1]; tile.appendChild(el);
        });
        return tile;
      }));
    }).catch(function () {
      box.querySelectorAll(".tile-value").forEach(function (el) { el.textContent = "—"; });
      box.querySelector(".tile-change").textContent = "数据加载失败，请刷新页面重试";
    });
  }

  document.querySelectorAll(".cockpit-tiles").forEach(tiles);
  document.querySelectorAll(".cockpit-card").forEach(function (card) {
    var toggle = card.querySelector(".cockpit-toggle");
    if (toggle) {
      toggle.addEventListener("click", function () {
        var on = card.classList.toggle("show-table");
        this.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }
    draw(card);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  // Another period: its own as-of date, unless a date is chosen again.
  document.querySelectorAll(".cockpit-filters select[name=period]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.querySelector("input[name=as_of]").value = ""; });
  });
  var full = document.getElementById("screen-full");
  if (full) {
    full.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { document.documentElement.requestFullscreen(); }
    });
  }
})();
