// 数据统计: draw each chart from the ECharts option the server put in <script type="application/json" id="chart-option-KEY">.
(function () {
  "use strict";

  function draw() {
    if (!window.echarts) { return; }
    var charts = [];
    document.querySelectorAll("[data-chart-for]").forEach(function (box) {
      var source = document.getElementById("chart-option-" + box.getAttribute("data-chart-for"));
      if (!source) { return; }
      var chart = window.echarts.init(box, null, { renderer: "canvas" });
      chart.setOption(JSON.parse(source.textContent));
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
