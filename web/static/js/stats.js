// Draws each figure of the statistics page from its data-chart attribute (built by
// web/ui/stats.py) with ECharts; a click on a bar opens the cases behind it. The tables
// below the charts hold the same numbers and links, so the page works without JavaScript.
(function () {
  'use strict';
  if (typeof echarts === 'undefined') return;
  var LEFT = 48;  // the grid's margins: the value axis, and the rate axis when there is one

  // Each unit's or procedure's name stays within its own column's width, so neighbours
  // never overlap: wrapped (Chinese between any two characters, other text between words)
  // to at most three lines; a longer name is cut with "…", and the tooltip names it in full.
  // Set again whenever the columns' width changes: the window resized, the slider moved.
  function axisLabel(el, right, columns) {
    var slot = Math.floor((el.clientWidth - LEFT - right) / Math.max(columns, 1)) - 4;
    var room = 3 * Math.floor(slot / 12);  // characters of the 12 px font; Latin ones half
    return {interval: 0, width: slot, overflow: 'break', lineHeight: 14, height: 42,
            lineOverflow: 'truncate', formatter: function (name) {
              var used = 0;
              for (var i = 0; i < name.length; i++) {
                used += name.charCodeAt(i) > 255 ? 1 : 0.5;
                if (used > room) return name.slice(0, Math.max(i - 1, 0)) + '…';
              }
              return name;
            }};
  }

  function columnsInView(chart, many) {
    var zoom = chart.getOption().dataZoom || [];
    return zoom.length ? zoom[0].endValue - zoom[0].startValue + 1 : many;
  }

  var charts = [];
  document.querySelectorAll('[data-chart]').forEach(function (el) {
    var data = JSON.parse(el.getAttribute('data-chart'));
    var hasRate = data.series.some(function (s) { return s.rate; });
    var many = data.labels.length;
    var narrow = el.clientWidth < 560;  // a phone: the legend takes two lines
    var shown = narrow ? 6 : 12;  // categories in view at once; more scroll with the slider
    var right = hasRate ? 48 : 16;
    var chart = echarts.init(el, null, {renderer: 'svg'});
    chart.setOption({
      animation: false,
      tooltip: {trigger: 'axis', renderMode: 'richText'},
      legend: {top: 0, type: 'scroll'},
      grid: {left: LEFT, right: right, top: narrow ? 56 : 40, bottom: many > shown ? 96 : 64},
      xAxis: {type: 'category', data: data.labels,
              axisLabel: axisLabel(el, right, Math.min(many, shown))},
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
                // on a narrow chart a rate's "100%" would sit on the bars' counts: one goes
                labelLayout: {hideOverlap: true},
                cursor: s.rate ? 'default' : 'pointer'};
      })
    });
    var refit = function () {
      chart.setOption({xAxis: {axisLabel: axisLabel(el, right, columnsInView(chart, many))}});
    };
    chart.on('datazoom', refit);
    chart.on('click', function (params) {
      var series = data.series[params.seriesIndex];
      var link = series && series.links[params.dataIndex];
      if (link) window.location.href = link;
    });
    charts.push({chart: chart, refit: refit});
  });
  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.chart.resize(); c.refit(); });
  });
})();
