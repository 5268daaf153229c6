/* rstscope analyze --html: draws the report from the JSON block
 * #rstscope-data (written by src/report/html_write.c). Everything from a
 * capture reaches the page as text nodes and attribute values, never as
 * markup. Nothing is loaded from elsewhere. */
(function () {
  'use strict';
  var T0 = performance.now();
  var D = JSON.parse(document.getElementById('rstscope-data').textContent);
  var N = D.names, S = D.strings;
  var SVGNS = 'http://www.w3.org/2000/svg'; /* the SVG namespace: a name, not a fetch */
  var PAGE = 1000;
  var COLOURS = ['#2e90fa', '#f79009', '#7a5af8', '#d92d20', '#12b76a', '#667085', '#ee46bc',
    '#0e9384', '#b54708', '#6172f3', '#98a2b3'];
  /* the columns of a row, as html_write.c writes them */
  var R = { frame: 0, t: 1, src: 2, sport: 3, dst: 4, dport: 5, kind: 6, role: 7, forged: 8,
    cause: 9, shape: 10, idle: 11, ttl: 12, cluster: 13, method: 14, ladder: 15, evid: 16,
    seen: 17, absent: 18, flags: 19 };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) if (attrs[k] !== undefined) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function sv(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function add(parent, child) { parent.appendChild(child); return child; }
  function colour(cause) { return COLOURS[cause % COLOURS.length]; }
  function str(id) { return id >= 0 ? S[id] : ''; }
  function ep(r, a, p) { var s = str(r[a]); return (s.indexOf(':') >= 0 ? '[' + s + ']' : s) + ':' + r[p]; }
  function plural(n, w) { return n + ' ' + w + (n === 1 ? '' : 's'); }
  function num(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }
  function utc(sec) {
    var d = new Date(sec * 1000);
    return isNaN(d) ? '' : d.toISOString().replace('T', ' ').replace('Z', ' UTC');
  }
  function secs(s) {
    if (s >= 3600) return (s / 3600).toFixed(s % 3600 ? 1 : 0) + ' h';
    if (s >= 60) return (s / 60).toFixed(s % 60 ? 1 : 0) + ' min';
    if (s >= 1 || s === 0) return +s.toFixed(2) + ' s';
    return +(s * 1000).toFixed(2) + ' ms';
  }
  function flagNames(f) {
    var n = [[2, 'SYN'], [1, 'FIN'], [4, 'RST'], [8, 'PSH'], [16, 'ACK'], [32, 'URG']], o = [];
    n.forEach(function (x) { if (f & x[0]) o.push(x[1]); });
    return o.join('+');
  }
  function hops(ttl) { var i = ttl <= 32 ? 32 : ttl <= 64 ? 64 : ttl <= 128 ? 128 : 255; return i - ttl; }
  function legend(parent, causes) {
    var l = add(parent, el('div', { 'class': 'legend' }));
    causes.forEach(function (c) {
      var s = add(l, el('span', {}, N.cause[c]));
      s.style.setProperty('--c', colour(c));
    });
  }
  function svgBox(parent, cls, w, h) {
    var s = add(parent, sv('svg', { 'class': cls, width: w, height: h, viewBox: '0 0 ' + w + ' ' + h,
      role: 'img' }));
    s.style.maxWidth = '100%';
    return s;
  }

  /* resets over time, stacked by cause */
  function timeChart(box, cap) {
    var tm = cap.time, W = 560, H = 220, L = 44, B = 28, T = 8, Rm = 8;
    add(box, el('h3', {}, 'Resets over time (' + secs(tm.width) + ' buckets)'));
    if (!tm.series.length) { add(box, el('p', { 'class': 'dim' }, 'no resets')); return; }
    var tot = new Array(tm.n).fill(0), max = 1;
    tm.series.forEach(function (s) { s[1].forEach(function (v, b) { tot[b] += v; }); });
    tot.forEach(function (v) { if (v > max) max = v; });
    var s = svgBox(box, 'chart chart-time', W, H), bw = (W - L - Rm) / tm.n, ph = H - T - B;
    add(s, sv('line', { 'class': 'axis', x1: L, y1: H - B, x2: W - Rm, y2: H - B }));
    add(s, sv('line', { 'class': 'axis', x1: L, y1: T, x2: L, y2: H - B }));
    add(s, sv('text', { x: L - 4, y: T + 8, 'text-anchor': 'end' }, num(max)));
    add(s, sv('text', { x: L - 4, y: H - B, 'text-anchor': 'end' }, '0'));
    var base = new Array(tm.n).fill(0);
    tm.series.forEach(function (se) {
      var g = add(s, sv('g', { 'class': 'series', 'data-cause': N.cause[se[0]], fill: colour(se[0]) }));
      se[1].forEach(function (v, b) {
        if (!v) return;
        var h = v / max * ph, y = H - B - base[b] - h;
        var r = add(g, sv('rect', { x: L + b * bw, y: y, width: Math.max(bw - 0.5, 0.5), height: h }));
        add(r, sv('title', {}, N.cause[se[0]] + ': ' + v + ' at +' + secs(b * tm.width)));
        base[b] += h;
      });
    });
    var step = Math.max(1, Math.ceil(tm.n / 6));
    for (var b = 0; b < tm.n; b += step)
      add(s, sv('text', { x: L + b * bw, y: H - B + 14 }, '+' + secs(b * tm.width)));
    legend(box, tm.series.map(function (x) { return x[0]; }));
  }

  /* idle gaps before resets, log bins, the reaping timeout marked */
  function gapChart(box, cap) {
    var g = cap.gaps, W = 560, H = 220, L = 44, B = 28, T = 18, Rm = 8;
    add(box, el('h3', {}, 'Idle gaps before resets'));
    var total = g.counts.reduce(function (a, b) { return a + b; }, 0);
    if (!total) { add(box, el('p', { 'class': 'dim' }, 'no reset came after an idle gap')); return; }
    var k = g.per_decade, lo = g.lo, hi = g.lo + g.counts.length;
    g.timeouts.forEach(function (t) {
      var a = Math.floor(Math.log10(t.lo) * k), z = Math.ceil(Math.log10(Math.max(t.hi, t.lo)) * k) + 1;
      if (a < lo) lo = a;
      if (z > hi) hi = z;
    });
    lo = Math.floor(lo / k) * k;
    hi = Math.ceil(hi / k) * k;
    var s = svgBox(box, 'chart chart-gaps', W, H), bw = (W - L - Rm) / (hi - lo), ph = H - T - B;
    var max = Math.max.apply(null, g.counts);
    function xOf(sec) { return L + (Math.log10(sec) * k - lo) * bw; }
    add(s, sv('line', { 'class': 'axis', x1: L, y1: H - B, x2: W - Rm, y2: H - B }));
    add(s, sv('line', { 'class': 'axis', x1: L, y1: T, x2: L, y2: H - B }));
    add(s, sv('text', { x: L - 4, y: T + 8, 'text-anchor': 'end' }, num(max)));
    g.counts.forEach(function (v, i) {
      if (!v) return;
      var h = v / max * ph, b = g.lo + i;
      var r = add(s, sv('rect', { 'class': 'gap-bar', x: L + (b - lo) * bw, y: H - B - h,
        width: Math.max(bw - 1, 1), height: h, fill: '#2e90fa' }));
      add(r, sv('title', {}, v + ' after ' + secs(Math.pow(10, b / k)) + '–' + secs(Math.pow(10, (b + 1) / k))));
    });
    for (var d = lo; d <= hi; d += k)
      add(s, sv('text', { x: L + (d - lo) * bw, y: H - B + 14, 'text-anchor': 'middle' },
        d < 0 ? +Math.pow(10, d / k + 3).toFixed(3) + ' ms' : Math.pow(10, d / k) + ' s'));
    g.timeouts.forEach(function (t, i) {
      var x = xOf(t.lo), x2 = xOf(Math.max(t.hi, t.lo) * 1.0001);
      add(s, sv('rect', { x: x, y: T, width: Math.max(x2 - x, 1), height: ph, fill: '#d92d20', opacity: 0.12 }));
      add(s, sv('line', { 'class': 'timeout-mark', x1: x, y1: T - 4, x2: x, y2: H - B, stroke: '#d92d20',
        'stroke-width': 2, 'stroke-dasharray': '4 3' }));
      add(s, sv('text', { x: Math.min(x + 4, W - 150), y: T - 6 + 12 * i },
        (t.consistent ? 'reaping timeout ≈ ' : 'gaps cluster at ') + secs(t.lo)));
    });
    var p = add(box, el('p', { 'class': 'dim' }));
    p.textContent = total + ' resets after an idle gap (log scale)' + (g.timeouts.length ?
      '; dashed: the idle timeout rstscope estimates' : '');
  }

  /* hop distance (from the TTL) of each sender's RSTs; forged ones stand out */
  function hopChart(box, cap) {
    var h = cap.hops, ROW = 24, L = 300, W = 980, T = 20, B = 26;
    add(box, el('h3', {}, 'Hop distance of RSTs by sender (from the TTL)'));
    if (!h.senders.length) { add(box, el('p', { 'class': 'dim' }, 'no resets')); return; }
    var maxHop = 8, maxN = 1;
    h.senders.forEach(function (se) {
      se.cells.forEach(function (c) {
        if (c[0] > maxHop) maxHop = c[0];
        for (var j = 1; j <= 3; j++) if (c[j] > maxN) maxN = c[j];
      });
    });
    var Ht = T + ROW * h.senders.length + B, s = svgBox(box, 'chart chart-hops', W, Ht);
    var xw = (W - L - 20) / (maxHop + 1);
    for (var x = 0; x <= maxHop; x += Math.max(1, Math.ceil(maxHop / 16))) {
      add(s, sv('line', { 'class': 'grid', x1: L + (x + 0.5) * xw, y1: T - 6, x2: L + (x + 0.5) * xw, y2: Ht - B }));
      add(s, sv('text', { x: L + (x + 0.5) * xw, y: Ht - B + 14, 'text-anchor': 'middle' }, x));
    }
    add(s, sv('text', { x: W - 20, y: Ht - 2, 'text-anchor': 'end' }, 'hops from the sender\'s initial TTL'));
    var cls = ['genuine', 'forged', 'unknown'], fill = ['#2e90fa', '#d92d20', '#98a2b3'];
    h.senders.forEach(function (se, i) {
      var y = T + ROW * i + ROW / 2;
      add(s, sv('text', { x: L - 8, y: y + 4, 'text-anchor': 'end' }, se.addr + ' (' + num(se.n) + ')'));
      se.cells.forEach(function (c) {
        [0, 2, 1].forEach(function (j) { /* forged drawn last, on top */
          var n = c[j + 1];
          if (!n) return;
          var r = 3 + 8 * Math.sqrt(n / maxN), dy = j === 1 ? 3 : j === 0 ? -3 : 0;
          var dot = add(s, sv('circle', { 'class': 'hop-dot ' + cls[j], cx: L + (c[0] + 0.5) * xw,
            cy: y + dy, r: r, fill: fill[j], 'fill-opacity': j === 1 ? 0.85 : 0.45,
            stroke: j === 1 ? '#7a271a' : 'none', 'stroke-width': 1.5 }));
          add(dot, sv('title', {}, se.addr + ': ' + n + ' ' + cls[j] + ' at ' + c[0] + ' hops'));
        });
      });
    });
    var p = add(box, el('div', { 'class': 'legend' }));
    cls.forEach(function (c, j) { add(p, el('span', {}, c)).style.setProperty('--c', fill[j]); });
    if (h.other_senders)
      add(box, el('p', { 'class': 'dim' }, h.other_senders + ' more senders with ' + num(h.other_rsts) + ' RSTs not drawn'));
  }

  function evidenceLines(parent, cap, r) {
    var e = r[R.evid] >= 0 ? cap.evidence[r[R.evid]] : null;
    if (!e) return;
    add(parent, el('div', { 'class': 'ev' }, 'sender ' + N.forged[r[R.forged]] + ': ' + e[0]));
    add(parent, el('div', { 'class': 'ev' }, 'cause ' + N.cause[r[R.cause]] + ': ' + e[1]));
  }

  /* the ranked causes with their evidence and fix */
  function causeList(box, cap, sel) {
    add(box, el('h3', {}, 'Causes, most likely first'));
    if (!cap.causes.length) { add(box, el('p', { 'class': 'dim' }, 'no resets')); return; }
    var max = cap.causes[0].count;
    cap.causes.forEach(function (c, i) {
      var d = add(box, el('div', { 'class': 'cause', 'data-cause': N.cause[c.id] }));
      var head = add(d, el('div'));
      var s = add(head, sv('svg', { width: 160, height: 12 }));
      add(s, sv('rect', { 'class': 'cause-bar', x: 0, y: 1, width: Math.max(2, 156 * c.count / max),
        height: 10, fill: colour(c.id) }));
      add(head, el('span', { 'class': 'title' }, ' ' + (i + 1) + '. ' + N.cause_title[c.id]));
      add(head, el('span', { 'class': 'dim' }, ' (' + N.cause[c.id] + ') ' + plural(c.count, 'reset') +
        ', confidence ' + Math.round(c.confidence * 100) + '%'));
      c.rows.forEach(function (ri) {
        var r = cap.rows[ri], ex = add(d, el('div', { 'class': 'ev' }));
        add(ex, document.createTextNode('e.g. '));
        var a = add(ex, el('a', { tabindex: 0 }, 'frame ' + r[R.frame]));
        a.addEventListener('click', function () { sel(ri, true); });
        add(ex, document.createTextNode('  ' + ep(r, R.src, R.sport) + ' > ' + ep(r, R.dst, R.dport)));
        evidenceLines(d, cap, r);
      });
      add(d, el('div', { 'class': 'fix' }, 'fix: ' + N.cause_fix[c.id]));
    });
    cap.gaps.timeouts.forEach(function (t) {
      add(box, el('p', {}, t.consistent ?
        'Idle timeout: a hop reaps idle connections at ' + secs(t.lo) + (t.hi - t.lo >= 0.05 ? '–' + secs(t.hi) : '') +
        ' (' + plural(t.count, 'reset') + ')' + (t.survived !== null ? '; reuses after up to ' +
        secs(t.survived) + ' idle survived' : '') :
        'Idle gaps: ' + plural(t.count, 'reset') + ' after ' + secs(t.lo) + '–' + secs(t.hi) +
        ' idle, but longer silences survived elsewhere: not one idle timeout for all'));
    });
    if (cap.races && cap.races.count)
      add(box, el('p', {}, 'Keep-alive races: ' + plural(cap.races.count, 'request') + ' met the server closing ' +
        'the idle connection (' + cap.races.min_ms.toFixed(1) + '–' + cap.races.max_ms.toFixed(1) + ' ms apart)' +
        (cap.races.ex.length ? ', e.g. frame ' + cap.races.ex[0].frame + ' ' + cap.races.ex[0].flow : '')));
    if (cap.risky && cap.risky.count)
      add(box, el('p', { 'class': 'note' }, 'Duplicate risk: ' + plural(cap.risky.count, 'non-idempotent request') +
        ' reset on a reused connection; a blind retry may repeat them: ' +
        cap.risky.ex.map(function (x) { return x.method + ' frame ' + x.frame + ' ' + x.flow; }).join('; ')));
  }

  /* the table of RSTs: sort, filter, pages */
  var COLS = [
    ['frame', function (r) { return r[R.frame]; }, true],
    ['time (s)', function (r) { return r[R.t]; }, true, function (r) { return (r[R.t] / 1e6).toFixed(6); }],
    ['from', function (r) { return ep(r, R.src, R.sport); }],
    ['to', function (r) { return ep(r, R.dst, R.dport); }],
    ['kind', function (r) { return N.kind[r[R.kind]]; }],
    ['by', function (r) { return N.role[r[R.role]]; }],
    ['sender', function (r) { return N.forged[r[R.forged]]; }],
    ['cause', function (r) { return N.cause[r[R.cause]]; }],
    ['shape', function (r) { return N.shape[r[R.shape]]; }],
    ['idle (s)', function (r) { return r[R.idle]; }, true, function (r) { return r[R.idle] >= 0 ? (r[R.idle] / 1000).toFixed(3) : ''; }],
    ['ttl', function (r) { return r[R.ttl]; }, true, function (r) { return r[R.ttl] + ' (' + hops(r[R.ttl]) + ' hops)'; }],
    ['cluster', function (r) { return r[R.cluster]; }, true],
    ['http', function (r) { return str(r[R.method]); }]
  ];

  function rstTable(box, cap, state) {
    add(box, el('h3', {}, 'Every RST (' + num(cap.rows.length) + ')'));
    var ctl = add(box, el('div', { 'class': 'controls' }));
    var q = add(ctl, el('input', { type: 'search', placeholder: 'filter: address, port, frame, kind, cause…',
      'aria-label': 'filter' }));
    var cs = add(ctl, el('select', { 'aria-label': 'cause' }));
    add(cs, el('option', { value: '-1' }, 'every cause'));
    cap.causes.forEach(function (c) { add(cs, el('option', { value: c.id }, N.cause[c.id] + ' (' + c.count + ')')); });
    var fs = add(ctl, el('select', { 'aria-label': 'sender' }));
    add(fs, el('option', { value: '-1' }, 'every sender'));
    N.forged.forEach(function (n, i) { add(fs, el('option', { value: i }, n)); });
    var prev = add(ctl, el('button', { type: 'button' }, '◀'));
    var info = add(ctl, el('span', { 'class': 'pageinfo' }));
    var next = add(ctl, el('button', { type: 'button' }, '▶'));
    var wrap = add(box, el('div', { 'class': 'tablewrap' }));
    var t = add(wrap, el('table', { 'class': 'data rsts' }));
    var hr = add(add(t, el('thead')), el('tr'));
    COLS.forEach(function (c, i) {
      var th = add(hr, el('th', { 'class': c[2] ? 'num' : undefined, 'data-col': i }, c[0]));
      th.addEventListener('click', function () {
        state.dir = state.col === i ? -state.dir : 1;
        state.col = i;
        refilter();
      });
    });
    var tb = add(t, el('tbody'));
    var search = null;
    function hay(r) {
      return [r[R.frame], ep(r, R.src, R.sport), ep(r, R.dst, R.dport), N.kind[r[R.kind]], N.role[r[R.role]],
        N.forged[r[R.forged]], N.cause[r[R.cause]], N.shape[r[R.shape]], str(r[R.method])].join(' ').toLowerCase();
    }
    function refilter() {
      var text = q.value.trim().toLowerCase(), cause = +cs.value, forged = +fs.value, v = [], rows = cap.rows;
      if (text && !search) search = rows.map(hay);
      for (var i = 0; i < rows.length; i++) {
        var r = rows[i];
        if (cause >= 0 && r[R.cause] !== cause) continue;
        if (forged >= 0 && r[R.forged] !== forged) continue;
        if (text && search[i].indexOf(text) < 0) continue;
        v.push(i);
      }
      if (state.col >= 0) { /* each row's key once, not per comparison */
        var key = COLS[state.col][1], d = state.dir, keys = new Array(rows.length);
        v.forEach(function (i) { keys[i] = key(rows[i]); });
        v.sort(function (a, b) {
          var x = keys[a], y = keys[b];
          return (x < y ? -d : x > y ? d : 0) || a - b;
        });
      }
      state.view = v;
      state.page = 0;
      render();
    }
    function render() {
      var v = state.view, n = v.length, pages = Math.max(1, Math.ceil(n / PAGE));
      if (state.page >= pages) state.page = pages - 1;
      var a = state.page * PAGE, z = Math.min(n, a + PAGE), frag = document.createDocumentFragment();
      for (var i = a; i < z; i++) {
        var r = cap.rows[v[i]], tr = el('tr', { 'data-row': v[i] });
        if (v[i] === state.sel) tr.className = 'sel';
        COLS.forEach(function (c) {
          var td = el('td', { 'class': c[2] ? 'num' : undefined }, c[3] ? c[3](r) : c[1](r));
          if (c[0] === 'sender' && r[R.forged] === 1) td.className = 'forged';
          tr.appendChild(td);
        });
        frag.appendChild(tr);
      }
      tb.textContent = '';
      tb.appendChild(frag);
      info.textContent = n ? 'rows ' + num(a + 1) + '–' + num(z) + ' of ' + num(n) +
        (n > PAGE ? ' (page ' + (state.page + 1) + ' of ' + pages + ')' : '') : 'no row matches';
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
    }
    state.show = function (ri) { /* bring row ri onto the page */
      var k = state.view.indexOf(ri);
      if (k < 0) { q.value = ''; cs.value = '-1'; fs.value = '-1'; state.col = -1; refilter(); k = state.view.indexOf(ri); }
      state.page = Math.floor(k / PAGE);
      render();
      var tr = tb.querySelector('tr[data-row="' + ri + '"]');
      if (tr) tr.scrollIntoView({ block: 'nearest' });
    };
    q.addEventListener('input', refilter);
    cs.addEventListener('change', refilter);
    fs.addEventListener('change', refilter);
    prev.addEventListener('click', function () { state.page--; render(); });
    next.addEventListener('click', function () { state.page++; render(); });
    tb.addEventListener('click', function (ev) {
      var tr = ev.target.closest('tr');
      if (tr) state.select(+tr.getAttribute('data-row'), false);
    });
    state.view = cap.rows.map(function (_, i) { return i; });
    render();
    state.render = render;
  }

  /* the selected RST: its details and its flow's ladder */
  function detail(box, cap, r) {
    box.textContent = '';
    var e = r[R.evid] >= 0 ? cap.evidence[r[R.evid]] : null, L = [];
    L.push('frame ' + r[R.frame] + '  ' + utc(cap.t0 + r[R.t] / 1e6) + '  ' + ep(r, R.src, R.sport) + ' > ' +
      ep(r, R.dst, R.dport) + '  ' + ((r[R.flags] & 16) ? 'RST+ACK' : 'RST') + '  ttl ' + r[R.ttl] +
      ' (' + hops(r[R.ttl]) + ' hops)');
    L.push('kind     ' + N.kind[r[R.kind]] + ', sent by the ' + N.role[r[R.role]]);
    L.push('sender   ' + N.forged[r[R.forged]] + (e ? ': ' + e[0] : ''));
    L.push('shape    ' + N.shape[r[R.shape]] + (r[R.idle] >= 0 ? ' after ' + (r[R.idle] / 1000).toFixed(3) + ' s idle' : '') +
      (e && e[3] ? ', ' + e[3] + ' bytes in flight' : '') + (r[R.cluster] > 1 ? ', one of ' + r[R.cluster] +
      ' flows of this host reset together' : ''));
    if (r[R.method] >= 0)
      L.push('context  HTTP ' + str(r[R.method]) + (e && e[7] ? ' (unanswered)' : '') + (e && e[4] ?
        ' on a reused connection (' + e[4] + ' earlier requests)' : '') + (e && e[5] ? ', last status ' + e[5] : ''));
    if (e && e[8]) L.push('context  TLS ' + N.tls[e[8]]);
    if (e && e[2] !== null) L.push('payload  "' + e[2] + '"');
    if (cap.corr_files && (r[R.seen] || r[R.absent])) {
      var seen = [], absent = [];
      cap.corr_files.forEach(function (f, i) { if (r[R.seen] >> i & 1) seen.push(f); if (r[R.absent] >> i & 1) absent.push(f); });
      L.push('seen     in ' + seen.join(', ') + (absent.length ? '; not in ' + absent.join(', ') : ''));
    }
    L.push('cause    ' + N.cause[r[R.cause]] + (e ? ': ' + e[1] : ''));
    if (!e) L.push('(evidence is kept for the flows that have a ladder; see the text summary)');
    box.textContent = L.join('\n');
  }

  function ladder(box, cap, r) {
    box.textContent = '';
    if (r[R.ladder] < 0) {
      add(box, el('p', { 'class': 'dim' }, 'no ladder for this flow: ' + (cap.notes.join('; ') || 'not kept')));
      return;
    }
    var l = cap.ladders[r[R.ladder]], W = 820, A = 250, Bx = 700, ROW = 20, T = 40;
    var gaps = (l.skipped_mid ? 1 : 0) + (l.skipped_after ? 1 : 0);
    var H = T + ROW * (l.pk.length + gaps) + 10;
    add(box, el('h3', {}, 'Ladder of the flow of frame ' + r[R.frame]));
    var s = svgBox(box, 'ladder', W, H);
    add(s, sv('text', { x: A, y: 14, 'text-anchor': 'middle' }, l.a));
    add(s, sv('text', { x: Bx, y: 14, 'text-anchor': 'middle' }, l.b));
    add(s, sv('text', { x: A, y: 27, 'text-anchor': 'middle', 'class': 'dim' }, 'receiver of the RST'));
    add(s, sv('text', { x: Bx, y: 27, 'text-anchor': 'middle' }, 'its claimed sender'));
    add(s, sv('text', { x: 4, y: 27 }, 'time (s)  frame'));
    add(s, sv('line', { 'class': 'axis', x1: A, y1: T - 8, x2: A, y2: H - 4 }));
    add(s, sv('line', { 'class': 'axis', x1: Bx, y1: T - 8, x2: Bx, y2: H - 4 }));
    var y = T, t0 = l.pk.length ? l.pk[0][0] : 0;
    function gap(n, what) {
      add(s, sv('text', { 'class': 'ladder-gap', x: (A + Bx) / 2, y: y + 12, 'text-anchor': 'middle' },
        '… ' + plural(n, 'packet') + ' ' + what + ' not shown …'));
      y += ROW;
    }
    l.pk.forEach(function (p, i) {
      if (i === l.head && l.skipped_mid) gap(l.skipped_mid, 'before the RST');
      var rst = p[3] & 4, me = p[1] === r[R.frame];
      var x1 = p[2] ? Bx : A, x2 = p[2] ? A : Bx, col = me ? '#d92d20' : rst ? '#f79009' : '#475467';
      var g = add(s, sv('g', { 'class': 'ladder-pkt' + (rst ? ' rst' : '') + (me ? ' sel' : ''), 'data-frame': p[1] }));
      add(g, sv('text', { x: 4, y: y + 14 }, ((p[0] - t0) / 1e6).toFixed(6) + '  ' + p[1]));
      add(g, sv('line', { x1: x1, y1: y + 6, x2: x2, y2: y + 16, stroke: col, 'stroke-width': me ? 2.5 : 1.2 }));
      var d = p[2] ? 1 : -1;
      add(g, sv('polygon', { points: [x2, y + 16, x2 + 8 * d, y + 11, x2 + 8 * d, y + 18].join(' '), fill: col }));
      var label = flagNames(p[3]) + ' len ' + p[4] + ' ttl ' + p[5] + (p[9] ? '  ' + p[9] : '');
      add(g, sv('text', { x: (A + Bx) / 2, y: y + 8, 'text-anchor': 'middle', fill: col }, label));
      add(g, sv('title', {}, 'seq ' + p[6] + ' ack ' + p[7] + ' win ' + p[8]));
      y += ROW;
    });
    if (l.skipped_after) gap(l.skipped_after, 'after these');
    var lim = D.limits;
    add(box, el('p', { 'class': 'dim' }, 'Kept of this flow: its first ' + lim.ladder_head + ' packets, the last ' +
      lim.ladder_before + ' up to its first RST (frame ' + l.anchor + ') and ' + lim.ladder_after + ' after it; ' +
      'red: this RST, orange: other RSTs; hover an arrow for seq, ack and window.'));
  }

  function captureSection(root, cap, ci) {
    var sec = add(root, el('section', { 'class': 'capture', id: 'cap' + ci, 'data-capture': ci }));
    add(sec, el('h2', {}, cap.file));
    var st = cap.stats || {};
    add(sec, el('p', { 'class': 'dim' }, plural(cap.resets, 'reset') + ' in ' + num(st.frames || 0) + ' frames' +
      (cap.span ? ', ' + secs(cap.span) + ' of capture from ' + utc(cap.t0) : '') +
      (cap.forged ? '; senders: genuine ' + cap.forged[0] + ', forged ' + cap.forged[1] + ', unknown ' + cap.forged[2] : '')));
    if (cap.error) add(sec, el('p', { 'class': 'err' }, 'read error: ' + cap.error + ' (results up to there)'));
    cap.notes.forEach(function (n) { add(sec, el('p', { 'class': 'note' }, n)); });
    var state = { col: -1, dir: 1, page: 0, sel: -1 };
    var grid = add(sec, el('div', { 'class': 'grid2' }));
    timeChart(add(grid, el('div')), cap);
    gapChart(add(grid, el('div')), cap);
    hopChart(add(sec, el('div')), cap);
    var det, lad;
    state.select = function (ri, bring) {
      state.sel = ri;
      if (bring) state.show(ri);
      var old = sec.querySelectorAll('tbody tr.sel');
      for (var i = 0; i < old.length; i++) old[i].className = '';
      var tr = sec.querySelector('tbody tr[data-row="' + ri + '"]');
      if (tr) tr.className = 'sel';
      detail(det, cap, cap.rows[ri]);
      ladder(lad, cap, cap.rows[ri]);
    };
    causeList(add(sec, el('div', { 'class': 'causes' })), cap, function (ri, bring) { state.select(ri, bring); });
    if (cap.rows.length) {
      rstTable(add(sec, el('div')), cap, state);
      add(sec, el('h3', {}, 'The chosen RST (click a row)'));
      det = add(sec, el('div', { 'class': 'detail' }));
      lad = add(sec, el('div', { 'class': 'ladderbox' }));
    }
    if (cap.text) {
      var dt = add(sec, el('details'));
      add(dt, el('summary', {}, 'the diagnosis as text'));
      add(dt, el('pre', { 'class': 'text' }, cap.text));
    }
    return state;
  }

  /* the first RST of the top cause that has a ladder, else the first */
  function firstChoice(cap) {
    for (var i = 0; i < cap.causes.length; i++)
      for (var k = 0; k < cap.causes[i].rows.length; k++)
        if (cap.rows[cap.causes[i].rows[k]][R.ladder] >= 0) return cap.causes[i].rows[k];
    for (var j = 0; j < cap.rows.length; j++) if (cap.rows[j][R.ladder] >= 0) return j;
    return cap.rows.length ? 0 : -1;
  }

  function summary(root) {
    var sec = add(root, el('section', { id: 'summary' }));
    add(sec, el('h2', {}, 'Summary of ' + plural(D.captures.length, 'capture')));
    if (D.correlation) {
      add(sec, el('p', {}, 'The captures were correlated (the same traffic at different points of the path):'));
      add(sec, el('pre', { 'class': 'text' }, D.correlation));
    }
    var t = add(sec, el('table', { 'class': 'data' })), hr = add(add(t, el('thead')), el('tr'));
    ['capture', 'frames', 'resets', 'forged', 'most likely cause', 'read'].forEach(function (h) { add(hr, el('th', {}, h)); });
    var tb = add(t, el('tbody')), tot = {};
    D.captures.forEach(function (c, i) {
      var tr = add(tb, el('tr'));
      var a = add(add(tr, el('td')), el('a', { href: '#cap' + i }, c.file));
      a.style.color = 'inherit';
      add(tr, el('td', { 'class': 'num' }, num(c.stats ? c.stats.frames : 0)));
      add(tr, el('td', { 'class': 'num' }, num(c.resets)));
      add(tr, el('td', { 'class': 'num' }, c.forged ? num(c.forged[1]) : ''));
      add(tr, el('td', {}, c.causes.length ? N.cause[c.causes[0].id] + ' (' + c.causes[0].count + ')' : '—'));
      add(tr, el('td', {}, c.error ? 'cut: ' + c.error : 'whole'));
      c.causes.forEach(function (x) { tot[x.id] = (tot[x.id] || 0) + x.count; });
    });
    var ids = Object.keys(tot).map(Number).sort(function (a, b) { return tot[b] - tot[a]; });
    if (!ids.length) return;
    add(sec, el('h3', {}, 'Causes over all captures'));
    var s = svgBox(sec, 'chart chart-total', 700, 20 * ids.length + 4), max = tot[ids[0]];
    ids.forEach(function (id, i) {
      add(s, sv('rect', { 'class': 'total-bar', x: 150, y: 20 * i + 4, width: Math.max(2, 450 * tot[id] / max),
        height: 14, fill: colour(id) }));
      add(s, sv('text', { x: 144, y: 20 * i + 15, 'text-anchor': 'end' }, N.cause[id]));
      add(s, sv('text', { x: 156 + 450 * tot[id] / max, y: 20 * i + 15 }, num(tot[id])));
    });
  }

  var root = document.getElementById('report');
  document.getElementById('subtitle').textContent = D.captures.map(function (c) { return c.file; }).join(', ');
  document.title = 'rstscope: ' + D.captures.map(function (c) { return c.file; }).join(', ');
  summary(root);
  var states = D.captures.map(function (c, i) { return captureSection(root, c, i); });
  /* #cap=I&frame=F picks that RST; otherwise each capture shows its first */
  var m = /cap=(\d+)&frame=(\d+)/.exec(location.hash);
  states.forEach(function (st, i) {
    var cap = D.captures[i], ri = firstChoice(cap);
    if (m && +m[1] === i)
      for (var k = 0; k < cap.rows.length; k++) if (cap.rows[k][R.frame] === +m[2]) { ri = k; break; }
    if (ri >= 0) st.select(ri, !!m && +m[1] === i);
  });
  document.body.setAttribute('data-render-ms', (performance.now() - T0).toFixed(1));
  document.body.setAttribute('data-ready-ms', performance.now().toFixed(1));
})();
