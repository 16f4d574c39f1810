/* northpic time control: what the picture shows when.
 *
 * - "as of" a date: a date entry (<input type=date>) and a slider over a chosen span
 *   (1, 10 or 50 years up to the latest date, or all of it; 10 years by default, so a
 *   320 px slider moves about 12 days a pixel instead of 140; arrow keys step one day);
 * - "between" two dates: records valid at any time in the range;
 * - "changed since" a date: only records that began or ended between that date and the
 *   date shown stay on the map, highlighted, and the control counts what it hides;
 * - "all dates".
 * Monthly climatology (features with a `month`, the sea-ice median) follows the month of
 * the date shown, and the legend names it. Dates are written at their precision: 1947,
 * Jan 2026, 2026-01-15. Every text goes in with textContent. */
(function () {
  'use strict';
  var NP = window.northpic = window.northpic || {};
  var DAY = 86400000, YEAR = 365.2425 * DAY;
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  var MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
                     'September', 'October', 'November', 'December'];
  var SPANS = [['1', '1 year'], ['10', '10 years'], ['50', '50 years'], ['all', 'all']];
  var DEFAULT_SPAN = '10';

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function isoDay(ms) { return new Date(ms).toISOString().slice(0, 10); }
  function dayMs(text) { var t = Date.parse(text + 'T00:00:00Z'); return isNaN(t) ? null : t; }
  function given(t) { return t !== null && t !== undefined; }

  // an ISO 8601 value written at its precision: "1947", "Jan 2026", "2026-01-15"
  NP.dateText = function (v) {
    if (v === null || v === undefined || v === '') { return v; }
    var s = String(v), m = /^(\d{4})-(\d{2})$/.exec(s);
    if (m) { return MONTHS[Number(m[2]) - 1] + ' ' + m[1]; }
    return s;
  };

  var state = { mode: 'at', from: null, to: null, since: null, page: null };
  NP.timeState = state;

  // the moment the picture is read at: the date shown, the end of a range, or the build date
  function reference() {
    if (state.mode === 'range' && given(state.to)) { return state.to; }
    if (given(NP.time)) { return NP.time; }
    return state.page ? dayMs(state.page.date) : null;
  }
  function baseShown(t0, t1) {
    if (state.mode === 'range' && given(state.from) && given(state.to)) {
      return !(given(t0) && t0 > state.to + DAY - 1) && !(given(t1) && t1 < state.from);
    }
    return NP.validAt(t0, t1, NP.time);
  }
  NP.changedSince = function (t0, t1) {
    var since = state.since, ref = reference();
    if (!given(since)) { return true; }
    var end = given(ref) ? ref + DAY - 1 : Infinity;
    return (given(t0) && t0 >= since && t0 <= end) || (given(t1) && t1 >= since && t1 <= end);
  };
  NP.isShown = function (t0, t1) {
    return baseShown(t0, t1) && (!given(state.since) || NP.changedSince(t0, t1));
  };

  // monthly climatology: the month of the reference date
  NP.shownMonth = function () { var r = reference(); return given(r) ? new Date(r).getUTCMonth() + 1 : null; };
  NP.shapeShown = function (info, p) {
    if (p.month === null || p.month === undefined) { return true; }
    return Number(p.month) === NP.shownMonth();
  };
  function monthly(entry) {
    var f = entry.data.shapes ? entry.data.shapes.features : [];
    for (var i = 0; i < f.length; i++) { if (given(f[i].properties.month)) { return true; } }
    return false;
  }

  // what "changed since" hides among the layers on the map: [hidden, shown]
  NP.changeCounts = function () {
    var hidden = 0, shown = 0;
    NP.order.forEach(function (name) {
      var entry = NP.layers[name];
      if (!entry.map.hasLayer(entry.group)) { return; }
      var p = entry.data.points;
      for (var i = 0; p && i < p.lon.length; i++) {
        if (!baseShown(p.t0[i], p.t1[i])) { continue; }
        if (NP.changedSince(p.t0[i], p.t1[i])) { shown++; } else { hidden++; }
      }
      (entry.data.shapes ? entry.data.shapes.features : []).forEach(function (f) {
        var q = f.properties;
        if (!baseShown(q._t0, q._t1) || !NP.shapeShown(entry.info, q)) { return; }
        if (NP.changedSince(q._t0, q._t1)) { shown++; } else { hidden++; }
      });
    });
    return [hidden, shown];
  };

  // a ring around each changed point, on the label canvas (labels.js calls this)
  NP.drawHighlights = function (ctx) {
    if (!given(state.since)) { return; }
    ctx.save(); ctx.strokeStyle = '#ff7f00'; ctx.lineWidth = 2.5;
    NP.order.forEach(function (name) {
      var c = NP.layers[name].canvas;
      if (!c || !c._map || !c._xs) { return; }
      for (var i = 0; i < c.n; i++) {
        if (!c.visible[i]) { continue; }
        ctx.beginPath(); ctx.arc(c._xs[i], c._ys[i], c._kindOf[i].radius + 5, 0, 2 * Math.PI); ctx.stroke();
      }
    });
    ctx.restore();
  };

  function refreshMonth() {
    var m = NP.shownMonth(), text = given(m) ? MONTH_NAMES[m - 1] + ' median' : '';
    document.querySelectorAll('.np-ice-month').forEach(function (node) { node.textContent = text; });
  }

  // monthly climatology layers name their month in the layer control and the legend
  function addMonthKeys() {
    NP.order.forEach(function (name) {
      var entry = NP.layers[name];
      if (!monthly(entry)) { return; }
      var input = document.querySelector('.np-layers input[data-layer="' + name + '"]');
      if (input && input.parentNode) {
        var tag = el('span', 'np-ice-month'); tag.setAttribute('data-layer', name);
        input.parentNode.appendChild(tag);
      }
      var legend = document.querySelector('.np-legend .np-keys');
      if (legend) {
        var li = el('li', 'np-ice-month-key'); li.setAttribute('data-layer', name);
        var sw = el('span', 'np-swatch np-sym-area'); sw.style.color = entry.info.style.color;
        li.appendChild(sw);
        var words = el('span', null, entry.info.title + ' shown for: ');
        var m = el('span', 'np-ice-month'); m.setAttribute('data-layer', name); words.appendChild(m);
        li.appendChild(words);
        legend.appendChild(li);
      }
    });
  }

  NP.addTimeControl = function (map, page) {
    state.page = page;
    addMonthKeys();
    if (!page.time || page.time.min === null) {  // nothing dated: no control, the page's month
      NP.afterTime = function () { refreshMonth(); };
      NP.setTime(null);
      return;
    }
    var min = page.time.min, max = page.time.max;
    var box = el('div', 'np-control np-time');
    L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box);
    box.appendChild(el('div', 'np-control-title', 'Time'));

    var atRow = el('div', 'np-time-row');
    atRow.appendChild(el('span', null, 'As of '));
    var date = el('input', 'np-time-date'); date.type = 'date';
    date.min = isoDay(min); date.max = isoDay(max);
    atRow.appendChild(date);
    var all = el('label', 'np-time-all'); var allBox = el('input'); allBox.type = 'checkbox';
    all.appendChild(allBox); all.appendChild(el('span', null, 'all dates'));
    atRow.appendChild(all);
    box.appendChild(atRow);

    var slider = el('input', 'np-time-slider'); slider.type = 'range'; slider.step = 1;
    box.appendChild(slider);
    var spanRow = el('div', 'np-time-row np-time-spanrow');
    var label = el('span', 'np-time-label'); spanRow.appendChild(label);
    var spanStart = el('span', 'np-time-span-from'); spanRow.appendChild(spanStart);
    spanRow.appendChild(el('span', null, ' slider span '));
    var span = el('select', 'np-time-span');
    SPANS.forEach(function (s) {
      var o = el('option', null, s[0] === 'all' ? 'all (' + isoDay(min).slice(0, 4) + '\u2013' +
                 isoDay(max).slice(0, 4) + ')' : s[1]);
      o.value = s[0]; span.appendChild(o);
    });
    span.value = DEFAULT_SPAN; spanRow.appendChild(span);
    box.appendChild(spanRow);

    var rangeRow = el('label', 'np-time-row np-time-range');
    var rangeBox = el('input', 'np-time-range-on'); rangeBox.type = 'checkbox';
    var from = el('input', 'np-time-from'); from.type = 'date';
    var to = el('input', 'np-time-to'); to.type = 'date';
    [from, to].forEach(function (d) { d.min = isoDay(min); d.max = isoDay(max); });
    rangeRow.appendChild(rangeBox); rangeRow.appendChild(el('span', null, 'between '));
    rangeRow.appendChild(from); rangeRow.appendChild(el('span', null, ' and ')); rangeRow.appendChild(to);
    box.appendChild(rangeRow);

    var sinceRow = el('label', 'np-time-row np-time-changed');
    var sinceBox = el('input', 'np-time-since-on'); sinceBox.type = 'checkbox';
    var since = el('input', 'np-time-since'); since.type = 'date';
    since.min = isoDay(min); since.max = isoDay(max);
    sinceRow.appendChild(sinceBox); sinceRow.appendChild(el('span', null, 'changed since '));
    sinceRow.appendChild(since);
    box.appendChild(sinceRow);
    var count = el('div', 'np-time-hidden'); box.appendChild(count);

    var origin = min;  // the slider's first day
    function setSpan(value, keep) {
      var years = value === 'all' ? null : Number(value);
      origin = years === null ? min : Math.max(min, max - Math.round(years * YEAR / DAY) * DAY);
      slider.min = 0; slider.max = Math.max(Math.round((max - origin) / DAY), 1);
      slider.value = Math.round((Math.min(Math.max(keep, origin), max) - origin) / DAY);
      spanStart.textContent = ' (' + isoDay(origin) + ' \u2013 ' + isoDay(max) + ')';
    }
    function fitSpan(ms) {  // the shortest span that holds ms
      for (var k = 0; k < SPANS.length; k++) {
        var years = SPANS[k][0] === 'all' ? null : Number(SPANS[k][0]);
        if (years === null || ms >= max - years * YEAR) { span.value = SPANS[k][0]; setSpan(span.value, ms); return; }
      }
    }
    function apply() {
      state.mode = allBox.checked ? 'all' : (rangeBox.checked ? 'range' : 'at');
      state.from = dayMs(from.value); state.to = dayMs(to.value);
      if (state.mode === 'range' && (!given(state.from) || !given(state.to))) { state.mode = 'at'; }
      state.since = sinceBox.checked ? dayMs(since.value) : null;
      slider.disabled = state.mode !== 'at'; date.disabled = state.mode !== 'at';
      var ms = origin + Number(slider.value) * DAY;
      NP.setTime(state.mode === 'all' ? null : ms);
    }
    slider.addEventListener('input', apply);
    [allBox, rangeBox, sinceBox, from, to, since].forEach(function (n) { n.addEventListener('change', apply); });
    span.addEventListener('change', function () { setSpan(span.value, given(NP.time) ? NP.time : max); apply(); });
    date.addEventListener('change', function () {
      var ms = dayMs(date.value);
      if (!given(ms)) { return; }
      fitSpan(Math.min(Math.max(ms, min), max)); apply();
    });

    NP.afterTime = function (ms) {
      var text;
      if (state.mode === 'range') { text = isoDay(state.from) + ' \u2013 ' + isoDay(state.to); }
      else { text = ms === null ? 'all dates' : isoDay(ms); }
      label.textContent = text;
      if (ms !== null && state.mode === 'at') { date.value = isoDay(ms); }
      if (given(state.since)) {
        var c = NP.changeCounts();
        count.textContent = c[1] + ' changed since ' + isoDay(state.since) + ' shown; ' + c[0] +
          ' unchanged hidden';
      } else { count.textContent = ''; }
      refreshMonth();
      if (NP.scheduleLabels) { NP.scheduleLabels(map); }
    };

    var Time = L.Control.extend({ options: { position: 'bottomright' }, onAdd: function () { return box; } });
    new Time().addTo(map);
    setSpan(DEFAULT_SPAN, page.time.initial);
    if (page.time.initial < origin) { fitSpan(page.time.initial); }
    since.value = isoDay(Math.max(min, page.time.initial - YEAR));
    from.value = isoDay(Math.max(min, page.time.initial - 10 * YEAR)); to.value = isoDay(page.time.initial);
    NP._slider = slider; NP._timeApply = apply; NP._timeLabel = label;
    NP.setTime(page.time.initial);
  };
}());
