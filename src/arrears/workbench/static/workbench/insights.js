// The insights page's charts (workbench/insights.html): each element with data-chart="slug"
// is drawn by the vendored Apache ECharts from the data the page passes in the JSON script
// #insights-charts (the CSP allows no inline script). Labels arrive translated; ECharts' own
// words (tooltips, toolbox) follow the page's language through its locale.
(function () {
  "use strict";
  var HEIGHT = "340px";

  function percentAxis(spec) {
    return spec.percent ? {type: "value", axisLabel: {formatter: "{value} %"}} : {type: "value"};
  }

  function categoryAxis(names) {
    // Long names (teams, collectors, experiment arms) turn rather than overlap.
    var long = names.some(function (name) { return String(name).length > 6; });
    return {type: "category", data: names, axisLabel: {interval: 0, rotate: long ? 30 : 0}};
  }

  function bars(spec) {
    var twoAxes = spec.series.some(function (s) { return s.axis === 1; });
    var yAxis = [percentAxis(spec)];
    if (twoAxes) { yAxis.push({type: "value", splitLine: {show: false}}); }
    return {
      tooltip: {trigger: "axis"},
      legend: {top: 0},
      grid: {left: 64, right: twoAxes ? 80 : 24, top: 36, bottom: 72},
      xAxis: categoryAxis(spec.categories),
      yAxis: yAxis,
      series: spec.series.map(function (s) {
        return {name: s.name, type: "bar", data: s.data, yAxisIndex: s.axis || 0, barMaxWidth: 48};
      })
    };
  }

  function lines(spec) {
    return {
      tooltip: {trigger: "axis"},
      legend: {type: "scroll", top: 0},
      grid: {left: 64, right: 24, top: 36, bottom: 48},
      xAxis: {type: "category", data: spec.categories, boundaryGap: false},
      yAxis: percentAxis(spec),
      series: spec.series.map(function (s) {
        return {name: s.name, type: "line", data: s.data, connectNulls: false, showSymbol: true};
      })
    };
  }

  function heatmap(spec) {
    return {
      tooltip: {position: "top"},
      grid: {left: 64, right: 24, top: 24, bottom: 88},
      xAxis: {type: "category", data: spec.x, splitArea: {show: true}},
      yAxis: {type: "category", data: spec.y, inverse: true, splitArea: {show: true}},
      visualMap: {min: 0, max: 100, calculable: true, orient: "horizontal", left: "center", bottom: 0},
      series: [{
        name: spec.name, type: "heatmap", data: spec.data,
        label: {show: true, formatter: function (p) { return p.value[2] == null ? "" : p.value[2] + " %"; }}
      }]
    };
  }

  var BUILDERS = {bars: bars, lines: lines, heatmap: heatmap};

  function draw() {
    var source = document.getElementById("insights-charts");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent || "{}") || {};
    var charts = data.charts || {};
    var drawn = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var spec = charts[el.getAttribute("data-chart")];
      var build = spec && BUILDERS[spec.kind];
      if (!build) { return; }
      el.style.height = HEIGHT;
      el.style.width = "100%";
      var chart = window.echarts.init(el, null, {renderer: "canvas", locale: data.locale || "ZH"});
      chart.on("finished", function () { el.setAttribute("data-drawn", "true"); });
      var option = build(spec);
      option.animation = false;
      chart.setOption(option);
      drawn.push(chart);
    });
    window.addEventListener("resize", function () {
      drawn.forEach(function (chart) { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
