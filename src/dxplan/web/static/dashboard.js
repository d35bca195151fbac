/* The indicator page's charts (ECharts from static/vendor). Without ECharts the page
   keeps its tables: the figures behind each chart are opened instead. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source) return;
  var data = JSON.parse(source.textContent);
  if (typeof window.echarts === "undefined") {
    document.querySelectorAll("details.chart-table").forEach(function (d) { d.open = true; });
    return;
  }
  var css = getComputedStyle(document.documentElement);
  var color = function (name, fallback) { return css.getPropertyValue(name).trim() || fallback; };
  var text = color("--text", "#e8eef5"), muted = color("--muted", "#9fb0c3");
  var line = color("--line", "#2a3a4f"), accent = color("--accent", "#4fb3ff");
  var warn = color("--at-risk", "#ffd54f");
  var trend = data.trend;
  var percent = trend.kind === "ratio";
  var base = {
    backgroundColor: "transparent",
    textStyle: { color: text, fontSize: 14 },
    animation: !window.matchMedia("(prefers-reduced-motion: reduce)").matches,
    aria: { enabled: true },
    tooltip: { trigger: "axis" },
    grid: { left: 56, right: 96, top: 36, bottom: 40 }
  };
  var axis = {
    axisLine: { lineStyle: { color: line } },
    axisLabel: { color: muted, fontSize: 13 },
    splitLine: { lineStyle: { color: line } }
  };
  var charts = [];

  var trendBox = document.getElementById("trend-chart");
  if (trendBox && trend.months.length) {
    var values = trend.values;
    var last = -1;
    values.forEach(function (v, i) { if (v !== null) last = i; });
    var end = trend.months.length - 1;
    // a stock's projection: from the last month known to the deadline, widening to its
    // interval; a flow's is the year's value: a point at the deadline with its interval
    var middle = trend.months.map(function () { return null; });
    var low = middle.slice(), band = middle.slice();
    var p = trend.projection;
    if (p && last >= 0 && last < end && !trend.flow) {
      var from = values[last];
      for (var i = last; i <= end; i++) {
        var share = (i - last) / (end - last);
        middle[i] = from + (p.value - from) * share;
        low[i] = from + (p.low - from) * share;
        band[i] = (from + (p.high - from) * share) - low[i];
      }
    } else if (p) {
      middle[end] = p.value;
    }
    var series = [
      { name: data.value_label, type: "line", data: values, connectNulls: true, symbolSize: 8,
        lineStyle: { width: 4, color: accent }, itemStyle: { color: accent } },
      { name: "low", type: "line", data: low, stack: "band", symbol: "none",
        lineStyle: { opacity: 0 }, tooltip: { show: false } },
      { name: "band", type: "line", data: band, stack: "band", symbol: "none",
        lineStyle: { opacity: 0 }, areaStyle: { color: warn, opacity: 0.25 }, tooltip: { show: false } },
      { name: data.projection_label, type: trend.flow ? "scatter" : "line", data: middle,
        symbol: trend.flow ? "diamond" : "none", symbolSize: 16, itemStyle: { color: warn },
        lineStyle: { width: 3, type: "dashed", color: warn },
        markLine: trend.flow && p ? {
          symbol: "none", silent: true, lineStyle: { color: warn, width: 3, type: "solid" },
          label: { show: false }, data: [[{ coord: [end, p.low] }, { coord: [end, p.high] }]]
        } : undefined }
    ];
    if (trend.target !== null) {
      series[0].markLine = {
        symbol: "none", silent: true,
        label: { color: text, formatter: data.target_label + " {c}" + (percent ? "%" : "") },
        lineStyle: { color: color("--on-track", "#3ecf8e"), width: 2, type: "dashed" },
        data: [{ yAxis: trend.target }]
      };
    }
    var trendChart = echarts.init(trendBox, null, { renderer: "svg" });
    trendChart.setOption(Object.assign({}, base, {
      legend: { data: [data.value_label, data.projection_label], textStyle: { color: text } },
      xAxis: Object.assign({}, axis, { type: "category", data: trend.months }),
      yAxis: Object.assign({}, axis, {
        type: "value", scale: true, inverse: trend.kind === "rank",
        axisLabel: { color: muted, formatter: percent ? "{value}%" : "{value}" }
      }),
      series: series
    }));
    charts.push(trendChart);
  }

  var unitsBox = document.getElementById("units-chart");
  if (unitsBox && data.units.length) {
    var pairs = data.units.map(function (name, i) {
      return [name, data.unit_values[i], data.unit_statuses[i]];
    })
      .filter(function (pair) { return pair[1] !== null; })
      .sort(function (a, b) { return a[1] - b[1]; });
    var bars = echarts.init(unitsBox, null, { renderer: "svg" });
    var target = trend.target;
    bars.setOption(Object.assign({}, base, {
      grid: { left: 56, right: 24, top: 24, bottom: 90 },
      xAxis: Object.assign({}, axis, {
        type: "category", data: pairs.map(function (p) { return p[0]; }),
        axisLabel: { color: muted, rotate: 45, fontSize: 12, width: 120, overflow: "truncate" }
      }),
      yAxis: Object.assign({}, axis, {
        type: "value", scale: true,
        axisLabel: { color: muted, formatter: percent ? "{value}%" : "{value}" }
      }),
      series: [{
        name: data.value_label, type: "bar",
        data: pairs.map(function (p) {
          var status = "--" + p[2].replace("_", "-");
          return { value: p[1], itemStyle: { color: color(status, accent) } };
        }),
        markLine: target === null ? undefined : {
          symbol: "none", silent: true, data: [{ yAxis: target }],
          lineStyle: { color: text, type: "dashed" }, label: { color: text, formatter: data.target_label + " {c}" }
        }
      }]
    }));
    charts.push(bars);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
