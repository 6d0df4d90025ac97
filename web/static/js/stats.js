// Draws each figure of the statistics page from its data-chart attribute (built by
// web/ui/stats.py) with ECharts; a click on a bar opens the cases behind it. The tables
// below the charts hold the same numbers and links, so the page works without JavaScript.
(function () {
  'use strict';
  if (typeof echarts === 'undefined') return;
  var charts = [];
  document.querySelectorAll('[data-chart]').forEach(function (el) {
    var data = JSON.parse(el.getAttribute('data-chart'));
    var hasRate = data.series.some(function (s) { return s.rate; });
    var chart = echarts.init(el, null, {renderer: 'svg'});
    chart.setOption({
      animation: false,
      tooltip: {trigger: 'axis', renderMode: 'richText'},
      legend: {top: 0},
      grid: {left: 48, right: hasRate ? 48 : 16, top: 40, bottom: 64},
      xAxis: {type: 'category', data: data.labels, axisLabel: {interval: 0, rotate: data.labels.length > 4 ? 20 : 0}},
      yAxis: [{type: 'value', minInterval: 1},
              {type: 'value', min: 0, max: 100, show: hasRate, axisLabel: {formatter: '{value}%'}}],
      series: data.series.map(function (s) {
        return {name: s.name, type: s.type, yAxisIndex: s.rate ? 1 : 0, data: s.values,
                label: {show: true, position: 'top', formatter: s.rate ? '{c}%' : '{c}'},
                cursor: s.rate ? 'default' : 'pointer'};
      })
    });
    chart.on('click', function (params) {
      var series = data.series[params.seriesIndex];
      var link = series && series.links[params.dataIndex];
      if (link) window.location.href = link;
    });
    charts.push(chart);
  });
  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
