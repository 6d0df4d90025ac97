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
    var many = data.labels.length;
    var narrow = el.clientWidth < 560;  // a phone: the legend takes two lines
    var shown = narrow ? 6 : 12;  // categories in view at once; more scroll with the slider
    var chart = echarts.init(el, null, {renderer: 'svg'});
    chart.setOption({
      animation: false,
      tooltip: {trigger: 'axis', renderMode: 'richText'},
      legend: {top: 0, type: 'scroll'},
      grid: {left: 48, right: hasRate ? 48 : 16, top: narrow ? 56 : 40, bottom: many > shown ? 96 : 64},
      xAxis: {type: 'category', data: data.labels,
              axisLabel: many > 6 ? {interval: 0, rotate: 30, width: 96, overflow: 'truncate'}
                                  : {interval: 0, rotate: many > 4 ? 20 : 0}},
      yAxis: [{type: 'value', minInterval: 1},
              {type: 'value', min: 0, max: 100, show: hasRate, axisLabel: {formatter: '{value}%'}}],
      dataZoom: many > shown ? [{type: 'slider', xAxisIndex: 0, bottom: 8, height: 16,
                                 startValue: 0, endValue: shown - 1, zoomLock: false}] : [],
      series: data.series.map(function (s) {
        return {name: s.name, type: s.type, yAxisIndex: s.rate ? 1 : 0, data: s.values,
                // values over the bars only where they can be read, and never a row of zeros
                label: {show: Math.min(many, shown) <= 8, position: 'top', formatter: function (p) {
                  return p.value ? (s.rate ? p.value + '%' : String(p.value)) : '';
                }},
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
