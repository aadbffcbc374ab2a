// @ts-check
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('fleet-data').textContent);
  var S = D.strings,
    H = D.hosts,
    C = D.checks,
    CELLS = D.cells,
    DET = D.details,
    STEPS = D.steps || [],
    R = D.run,
    T = D.tiles;
  var STATUS = { p: 'pass', f: 'fail', e: 'error', w: 'warn', s: 'skipped', '.': 'none' };
  var GLYPH = { p: '', f: '\u2715', e: '!', w: '\u25b4', s: '\u2013', '.': '' };
  var SRANK = { f: 0, e: 1, w: 2, s: 4, p: 3, '.': 5 };
  var SEV = { c: 'critical', h: 'high', m: 'medium', l: 'low', i: 'info' };
  var SEVRANK = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
  var FIX = { F: 'fixed by --fix', S: 'still failing after --fix', W: 'would be fixed (check mode)', X: 'fix failed' };
  var CHANGE = { n: 'new failure', x: 'fixed', s: 'still failing', f: 'flapping' };
  var coll = new Intl.Collator('en', { numeric: true });
  var ROW = 20;

  /** @param {string} id @returns {HTMLElement} */
  function $(id) {
    return /** @type {HTMLElement} */ (document.getElementById(id));
  }
  /** A form control by id. @param {string} id @returns {HTMLInputElement} */
  function field(id) {
    return /** @type {HTMLInputElement} */ ($(id));
  }
  /** The form control an event came from. @param {Event} e @returns {HTMLInputElement} */
  function source(e) {
    return /** @type {HTMLInputElement} */ (e.target);
  }
  /** The nearest ancestor of the event's target matching `sel`. @param {Event} e @param {string} sel @returns {HTMLElement | null} */
  function closest(e, sel) {
    var t = /** @type {Element | null} */ (e.target);
    return t && t.closest ? /** @type {HTMLElement | null} */ (t.closest(sel)) : null;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null && text !== '') e.textContent = String(text);
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }
  function txt(t) {
    return document.createTextNode(String(t));
  }
  function str(i) {
    return i >= 0 ? S[i] : '';
  }
  function isFail(ch) {
    return ch === 'f' || ch === 'e';
  }
  function plural(n, word) {
    return n + ' ' + word + (n === 1 ? '' : 's');
  }
  function fmtTime(ms) {
    return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '\u2013';
  }
  function fmtDur(ms) {
    if (ms === null || ms === undefined) return '\u2013';
    var s = ms / 1000;
    if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + 's';
    var m = Math.floor(s / 60);
    if (m < 60) return m + 'm ' + Math.round(s % 60) + 's';
    return Math.floor(m / 60) + 'h ' + (m % 60) + 'm';
  }
  function ago(ms) {
    var d = (D.generatedAt - ms) / 1000;
    if (d < 90) return 'just before this report';
    if (d < 5400) return Math.round(d / 60) + ' min before this report';
    if (d < 129600) return Math.round(d / 3600) + ' h before this report';
    return Math.round(d / 86400) + ' days before this report';
  }
  function sevBadge(sev) {
    return el('span', 'sev sev-' + sev, sev);
  }
  function stBadge(st) {
    return el('span', 'st st-' + st, st);
  }
  function hostLink(h) {
    var b = el('button', 'link', H[h][0]);
    b.type = 'button';
    b.setAttribute('data-host', String(h));
    return b;
  }
  function clipList(parent, items, max, make) {
    var shown = Math.min(items.length, max);
    for (var i = 0; i < shown; i++) add(parent, make(items[i]));
    if (items.length > shown) {
      var more = el('button', 'link', '+' + (items.length - shown) + ' more');
      more.type = 'button';
      more.addEventListener('click', function () {
        more.remove();
        for (var j = shown; j < items.length; j++) add(parent, make(items[j]));
      });
      add(parent, more);
    }
  }
  function empty(text) {
    return el('div', 'empty', text);
  }

  // ---- header and tiles ----
  if (D.links) {
    var nav = $('nav'),
      a = el('a', '', '\u2190 run history');
    a.href = D.links.history;
    add(nav, a);
    if (D.links.previous) {
      var p = el('a', '', 'previous run');
      p.href = D.links.previous;
      add(nav, txt(' \u00b7 '), p);
    }
    nav.hidden = false;
  }
  $('title').textContent = 'fleet report \u2014 ' + R.playbook;
  (function meta() {
    var m = $('meta');
    add(
      m,
      el('b', '', 'run ' + R.id),
      txt(' '),
      stBadge(R.status),
      txt(' \u00b7 started ' + fmtTime(R.startedAt) + ' (' + ago(R.startedAt) + ')'),
      txt(' \u00b7 took ' + fmtDur(T.durationMs)),
      txt(' \u00b7 limit: '),
      el('b', 'mono', R.limit || 'none'),
      txt(' \u00b7 inventory: ' + (R.inventory.join(', ') || '\u2013')),
      txt(' \u00b7 by ' + R.user + '@' + R.controller),
    );
    if (R.timings) add(m, el('div', 'mono', R.timings));
    $('footer').textContent =
      'Generated ' +
      fmtTime(D.generatedAt) +
      ' by fleet from its results database. ' +
      'Host status: ok includes changed; failing = a failed step or check; fixed = hosts where --fix repaired a check. ' +
      'Checks failing counts check ids failing (fail or error) on at least one host. ' +
      plural(H.length, 'host') +
      ', ' +
      plural(C.length, 'check') +
      '.';
  })();

  var tiles = [
    ['hosts', 'hosts', T.hosts, '', ''],
    ['ok', 'ok', T.ok, 'good', 'ok'],
    ['failing', 'failing', T.failing, 'bad', 'failing'],
    ['unreachable', 'unreachable', T.unreachable, 'unr', 'unreachable'],
    ['fixed', 'fixed', T.fixed, 'fixd', ''],
    ['checks-failing', 'checks failing', T.checksFailing, 'bad', ''],
    ['fleet-findings', 'fleet findings', T.fleetFindings, 'bad', ''],
    ['duration', 'duration', fmtDur(T.durationMs), '', ''],
  ];
  if (T.skipped) tiles.splice(4, 0, ['skipped', 'skipped', T.skipped, '', '']);
  tiles.forEach(function (t) {
    var box = el(t[4] ? 'button' : 'div', 'tile ' + (t[2] === 0 && t[3] !== 'good' ? 'zero' : t[3]));
    box.setAttribute('data-tile', t[0]);
    if (t[4]) {
      box.type = 'button';
      box.title = 'show these hosts in the matrix';
      box.addEventListener('click', function () {
        setFilters({ status: t[4] });
        scrollToMatrix();
      });
    }
    add($('tiles'), add(box, el('span', 'v', t[2]), el('span', 'l', t[1])));
  });

  // ---- failing checks ranked ----
  (function ranked() {
    var box = $('ranked');
    if (!C.length) {
      add(box, empty('This run recorded no check results.'));
      return;
    }
    if (!D.ranked.length) {
      add(box, empty('No check fails on any host.'));
      return;
    }
    var total = Math.max(1, H.length);
    var table = el('table', 'list');
    add(
      table,
      add(el('tr'), el('th', '', 'check'), el('th', '', 'severity'), el('th', 'num', 'hosts'), el('th', '', ''), el('th', '', 'e.g.')),
    );
    var make = function (r) {
      var k = r[0],
        hosts = r[1];
      var tr = el('tr', 'pick');
      tr.setAttribute('data-check', C[k].id);
      tr.title = 'show the hosts failing ' + C[k].id;
      var bar = el('span', 'bar');
      bar.style.width = Math.max(2, Math.round((120 * hosts.length) / total)) + 'px';
      add(
        tr,
        el('td', 'mono', C[k].id),
        add(el('td'), sevBadge(C[k].severity)),
        el('td', 'num', hosts.length + ' (' + Math.round((100 * hosts.length) / total) + '%)'),
        add(el('td'), bar),
        el(
          'td',
          'mono muted',
          hosts
            .slice(0, 3)
            .map(function (h) {
              return H[h][0];
            })
            .join(', ') + (hosts.length > 3 ? ', \u2026' : ''),
        ),
      );
      tr.addEventListener('click', function () {
        setFilters({ check: k, status: 'failing' });
        scrollToMatrix();
      });
      return tr;
    };
    clipList(table, D.ranked, 15, make);
    add(box, table);
  })();

  // ---- changes since the previous run ----
  var newFail = {},
    changeByCell = {};
  (function changes() {
    var CH = D.changes,
      box = $('changes');
    if (!CH) {
      add(box, empty('No earlier finished run of this playbook to compare with.'));
      return;
    }
    $('changes-title').textContent = 'Changes since run ' + CH.previous.id + ' (' + fmtTime(CH.previous.startedAt) + ')';
    CH.checks.forEach(function (c) {
      changeByCell[c[0] + ':' + c[1]] = c;
      if (c[2] === 'n') newFail[c[0] + ':' + c[1]] = true;
    });
    var kinds = [
      ['n', 'new failures'],
      ['x', 'fixed'],
      ['s', 'still failing'],
      ['f', 'flapping'],
      ['unreachable', 'now unreachable'],
      ['reachable', 'reachable again'],
    ];
    var lists = {};
    kinds.forEach(function (k) {
      lists[k[0]] = [];
    });
    CH.checks.forEach(function (c) {
      lists[c[2]].push(c);
    });
    CH.hosts.forEach(function (h) {
      lists[h[1]].push(h);
    });
    var chips = el('div', 'chips'),
      body = el('div');
    add(box, chips, body);
    var buttons = {};
    function show(kind) {
      Object.keys(buttons).forEach(function (k) {
        buttons[k].setAttribute('aria-pressed', String(k === kind));
      });
      body.replaceChildren(renderKind(kind, lists[kind]));
    }
    kinds.forEach(function (k) {
      var b = add(el('button', 'chip'), el('b', '', lists[k[0]].length), txt(' ' + k[1]));
      b.type = 'button';
      b.setAttribute('data-kind', k[0]);
      b.addEventListener('click', function () {
        show(k[0]);
      });
      buttons[k[0]] = b;
      add(chips, b);
    });
    var first = kinds.filter(function (k) {
      return lists[k[0]].length > 0;
    })[0];
    show(first ? first[0] : 'n');
    if (CH.window > 2)
      add(
        box,
        el('div', 'legend', 'flapping: failed and passed alternately over the last ' + CH.window + ' runs (history oldest \u2192 newest)'),
      );
  })();

  function renderKind(kind, items) {
    var out = el('div');
    out.setAttribute('data-list', kind);
    if (!items.length) return add(out, empty('none'));
    if (kind === 'unreachable' || kind === 'reachable') {
      var table = el('table', 'list');
      clipList(table, items, 40, function (it) {
        var h = it[0];
        return add(
          el('tr'),
          add(el('td'), hostLink(h)),
          el('td', 'muted', 'was ' + (it[2] || 'absent')),
          el('td', '', kind === 'unreachable' ? str(H[h][2]) : H[h][1]),
        );
      });
      return add(out, table);
    }
    var groups = [],
      byCheck = {};
    items.forEach(function (it) {
      var g = byCheck[it[1]];
      if (!g) {
        g = byCheck[it[1]] = { k: it[1], items: [] };
        groups.push(g);
      }
      g.items.push(it);
    });
    clipList(out, groups, 25, function (g) {
      var div = el('div', 'grp');
      div.setAttribute('data-check', C[g.k].id);
      add(
        div,
        el('span', 'mono', C[g.k].id),
        txt(' '),
        sevBadge(C[g.k].severity),
        el('span', 'muted', ' ' + plural(g.items.length, 'host') + ': '),
      );
      var hosts = el('div', 'hosts');
      clipList(hosts, g.items, 30, function (it) {
        if (kind !== 'f' && kind !== 's') return hostLink(it[0]);
        return add(el('span', 'nowrap'), hostLink(it[0]), histStrip(it[3]));
      });
      return add(div, hosts);
    });
    return out;
  }

  // "Since when" from a history string (oldest first): the start of the current failing streak, looking
  // through runs where the host was not checked. Bounded by the window, hence "or earlier".
  function sinceText(codes) {
    var runs = D.changes ? D.changes.runs : [],
      last = codes.length - 1;
    if (!isFail(codes.charAt(last))) return '';
    var start = last,
      j;
    for (j = last - 1; j >= 0; j--) {
      var c = codes.charAt(j);
      if (c === '.') continue;
      if (!isFail(c)) break;
      start = j;
    }
    if (start === last) return 'failing since this run';
    var r = runs[start];
    return r ? 'failing since run ' + r[0] + ' (' + fmtTime(r[1]) + ')' + (j < 0 ? ' or earlier' : '') : '';
  }

  function histStrip(codes) {
    var span = el('span', 'hist');
    var runs = D.changes ? D.changes.runs : [];
    span.title =
      codes
        .split('')
        .map(function (c, i) {
          return (runs[i] ? 'run ' + runs[i][0] + ': ' : '') + (c === '.' ? 'not checked' : STATUS[c]);
        })
        .join('\n') + (sinceText(codes) ? '\n' + sinceText(codes) : '');
    codes.split('').forEach(function (c) {
      add(span, el('i', 'c-' + (c === '.' ? 'n' : c)));
    });
    return span;
  }

  // ---- trend ----
  (function trend() {
    var TR = D.trend,
      box = $('trend');
    $('trend-title').textContent = 'Failing and unreachable hosts, last ' + plural(TR.length, 'run');
    if (TR.length < 2) add(box, el('div', 'muted', 'One run so far: the trend appears from the second run of this playbook.'));
    if (typeof uPlot !== 'function' || !TR.length) return;
    var xs = TR.map(function (t, i) {
      return i;
    });
    var data = [
      xs,
      TR.map(function (t) {
        return t.failed;
      }),
      TR.map(function (t) {
        return t.unreachable;
      }),
    ];
    var label = function (i) {
      var t = TR[i];
      return t ? '#' + t.id : '';
    };
    var opts = {
      width: Math.max(300, box.clientWidth - 4),
      height: 160,
      scales: {
        x: { time: false },
        y: {
          range: function (u, min, max) {
            return [0, Math.max(4, Math.ceil(max * 1.15))];
          },
        },
      },
      series: [
        {
          label: 'run',
          value: function (u, v) {
            return v === null || v === undefined || !TR[v]
              ? ''
              : label(v) + ' ' + fmtTime(TR[v].startedAt) + ' (' + TR[v].hosts + ' hosts)';
          },
        },
        { label: 'failing hosts', stroke: '#d93f3f', width: 2, fill: 'rgba(217,63,63,0.08)', points: { show: true, size: 5 } },
        { label: 'unreachable hosts', stroke: '#7a6a5f', width: 2, dash: [5, 3], points: { show: true, size: 5 } },
      ],
      axes: [
        {
          values: function (u, splits) {
            return splits.map(function (v) {
              return Number.isInteger(v) ? label(v) : '';
            });
          },
          space: 50,
        },
        { size: 44 },
      ],
      cursor: { drag: { x: false, y: false } },
    };
    var chart = new uPlot(opts, data, box);
    window.addEventListener('resize', function () {
      chart.setSize({ width: Math.max(300, box.clientWidth - 4), height: 160 });
    });
  })();

  // ---- fleet-wide findings ----
  (function fleet() {
    var box = $('fleet');
    var bad = D.fleet.filter(function (f) {
      return f.status !== 'pass' && f.status !== 'skipped';
    });
    var good = D.fleet.filter(function (f) {
      return f.status === 'pass' || f.status === 'skipped';
    });
    if (!D.fleet.length) {
      add(box, empty('This run recorded no fleet-wide checks.'));
      return;
    }
    if (!bad.length) add(box, empty('No fleet-wide findings.'));
    var byName = {};
    H.forEach(function (h, i) {
      byName[h[0]] = i;
    });
    bad.forEach(function (f) {
      var div = el('div', 'res');
      div.setAttribute('data-fleet', f.id);
      add(
        div,
        add(
          el('div', 'head'),
          stBadge(f.status),
          sevBadge(f.severity),
          el('span', 'id mono', f.id),
          el('span', 'muted', plural(f.hosts.length, 'host')),
        ),
      );
      add(div, el('div', 'msg', f.message));
      var hosts = el('div', 'hosts');
      clipList(hosts, f.hosts, 40, function (name) {
        return byName[name] !== undefined ? hostLink(byName[name]) : el('span', 'mono', name + ' ');
      });
      add(div, hosts);
      if (f.evidence) add(div, add(el('details'), el('summary', '', 'evidence'), el('pre', '', pretty(f.evidence))));
      add(box, div);
    });
    if (good.length)
      add(
        box,
        el(
          'div',
          'legend',
          'passed: ' +
            good
              .map(function (f) {
                return f.id;
              })
              .join(', '),
        ),
      );
  })();

  function pretty(text) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (e) {
      return text;
    }
  }

  // ---- the matrix ----
  var state = { q: '', group: -1, status: '', sev: 4, check: -1, failCols: false, sort: 'worst', dir: 1 };
  var cols = [],
    rows = [],
    nf = new Int32Array(H.length),
    selected = -1,
    rendered = [-1, -1];
  // Status codes of every host × check as bytes (f=102, e=101, w=119 …): the filter loop reads these.
  var CODES = new Uint8Array(H.length * C.length);
  for (var ci = 0; ci < H.length; ci++) for (var ck = 0; ck < C.length; ck++) CODES[ci * C.length + ck] = CELLS[ci].charCodeAt(ck);
  var wrap = $('mx-wrap'),
    tbody = $('mx-body'),
    head = $('mx-head');

  (function controls() {
    D.groups.forEach(function (g, i) {
      var o = el('option', '', g);
      o.value = String(i);
      $('f-group').appendChild(o);
    });
    if (!D.groups.length) {
      field('f-group').disabled = true;
      $('f-group').title = 'no inventory groups recorded for this run';
    }
    C.forEach(function (c, i) {
      var o = el('option', '', c.id + (c.failing ? ' (' + c.failing + ' failing)' : ''));
      o.value = String(i);
      $('f-check').appendChild(o);
    });
    if (!D.changes) /** @type {HTMLOptionElement} */ ($('f-status').querySelector('option[value=new]')).disabled = true;
    $('f-q').addEventListener('input', function (e) {
      setFilters({ q: source(e).value });
    });
    $('f-group').addEventListener('change', function (e) {
      setFilters({ group: Number(source(e).value) });
    });
    $('f-status').addEventListener('change', function (e) {
      setFilters({ status: source(e).value });
    });
    $('f-sev').addEventListener('change', function (e) {
      setFilters({ sev: Number(source(e).value) });
    });
    $('f-check').addEventListener('change', function (e) {
      setFilters({ check: Number(source(e).value) });
    });
    $('f-failcols').addEventListener('change', function (e) {
      setFilters({ failCols: source(e).checked });
    });
    $('f-reset').addEventListener('click', function () {
      setFilters({ q: '', group: -1, status: '', sev: 4, check: -1, failCols: false, sort: 'worst', dir: 1 });
    });
  })();

  function setFilters(patch) {
    Object.keys(patch).forEach(function (k) {
      state[k] = patch[k];
    });
    field('f-q').value = state.q;
    field('f-group').value = String(state.group);
    field('f-status').value = state.status;
    field('f-sev').value = String(state.sev);
    field('f-check').value = String(state.check);
    field('f-failcols').checked = state.failCols;
    update(true);
  }

  function scrollToMatrix() {
    $('p-matrix').scrollIntoView({ block: 'start' });
  }

  function matcher(q) {
    q = q.trim().toLowerCase();
    if (!q) return null;
    if (q.indexOf('*') < 0)
      return function (name) {
        return name.toLowerCase().indexOf(q) >= 0;
      };
    var re = new RegExp(
      '^' +
        q
          .split('*')
          .map(function (p) {
            return p.replace(/[.+?^$()|[\]{}\\]/g, '\\$&');
          })
          .join('.*') +
        '$',
    );
    return function (name) {
      return re.test(name.toLowerCase());
    };
  }

  function update(resetScroll) {
    // Scroll first, while layout is still clean: reading or setting scrollTop after DOM changes would
    // force a synchronous layout of the whole table.
    if (resetScroll && wrap.scrollTop !== 0) wrap.scrollTop = 0;
    if (resetScroll) scrollY = 0;
    cols = [];
    for (var k = 0; k < C.length; k++) {
      if (state.check >= 0 && k !== state.check) continue;
      if (SEVRANK[C[k].severity] > state.sev) continue;
      if (state.failCols && !C[k].failing) continue;
      cols.push(k);
    }
    var allCols = cols.length === C.length,
      NC = C.length;
    var match = matcher(state.q),
      st = state.status;
    rows = [];
    for (var h = 0; h < H.length; h++) {
      var host = H[h],
        base = h * NC,
        fails = 0,
        warns = 0,
        fresh = false;
      for (var j = 0; j < cols.length; j++) {
        var c = CODES[base + cols[j]];
        if (c === 102 || c === 101) {
          fails++;
          if (newFail[h + ':' + cols[j]]) fresh = true;
        } else if (c === 119) warns++;
      }
      nf[h] = fails;
      if (state.group >= 0 && host[3].indexOf(state.group) < 0) continue;
      if (match && !match(host[0])) continue;
      if (st === 'failing' && !(fails > 0 || (allCols && host[1] === 'failed'))) continue;
      if (st === 'new' && !fresh) continue;
      if (st === 'warn' && !warns) continue;
      if (st === 'unreachable' && host[1] !== 'unreachable') continue;
      if (st === 'ok' && (fails > 0 || host[1] === 'unreachable' || host[1] === 'failed')) continue;
      rows.push(h);
    }
    sortRows();
    renderHead();
    var count = $('mx-count');
    count.textContent =
      'showing ' + rows.length + ' of ' + plural(H.length, 'host') + ' \u00b7 ' + cols.length + ' of ' + plural(C.length, 'check');
    count.setAttribute('data-rows', String(rows.length));
    count.setAttribute('data-cols', String(cols.length));
    renderBody(true);
  }

  function sortRows() {
    var dir = state.dir,
      s = state.sort;
    if (s === 'worst') {
      if (dir < 0) rows.reverse();
      return;
    }
    var key;
    if (s === 'name')
      key = function (a, b) {
        return coll.compare(H[a][0], H[b][0]);
      };
    else if (s === 'nfail')
      key = function (a, b) {
        return nf[b] - nf[a] || a - b;
      };
    else {
      var k = Number(s.slice(4));
      key = function (a, b) {
        return SRANK[CELLS[a].charAt(k)] - SRANK[CELLS[b].charAt(k)] || a - b;
      };
    }
    rows.sort(function (a, b) {
      return dir * key(a, b);
    });
  }

  function sortBy(s) {
    if (state.sort === s) state.dir = -state.dir;
    else {
      state.sort = s;
      state.dir = 1;
    }
    update(false);
  }

  var headKey = '';
  function renderHead() {
    // The header only changes with the columns or the sort; rebuilding it would relayout the table.
    var key = cols.join(',') + '|' + state.sort;
    if (key === headKey) return;
    headKey = key;
    var hn = el('th', 'hn' + (state.sort === 'name' ? ' sorted' : ''), 'host');
    hn.title = 'sort by name';
    hn.addEventListener('click', function () {
      sortBy('name');
    });
    var n = el('th', 'nf' + (state.sort === 'nfail' ? ' sorted' : ''), '\u2715');
    n.title = 'failing checks among those shown; click to sort';
    n.addEventListener('click', function () {
      sortBy('nfail');
    });
    var ths = [hn, n];
    cols.forEach(function (k) {
      var th = el('th', 'ck' + (state.sort === 'col:' + k ? ' sorted' : ''));
      th.setAttribute('data-col', C[k].id);
      th.title = C[k].id + ' \u2014 ' + C[k].severity + ' \u2014 failing on ' + plural(C[k].failing, 'host') + ' (click to sort)';
      add(th, el('span', '', C[k].id));
      th.addEventListener('click', function () {
        sortBy('col:' + k);
      });
      ths.push(th);
    });
    head.replaceChildren.apply(head, ths);
  }

  function spacer(px) {
    var tr = el('tr', 'sp'),
      td = el('td');
    td.colSpan = cols.length + 2;
    td.style.height = px + 'px';
    return add(tr, td);
  }

  function rowEl(h) {
    var host = H[h],
      cells = CELLS[h];
    var tr = el('tr', h === selected ? 'sel' : '');
    tr.setAttribute('data-h', String(h));
    add(tr, el('td', 'hn', host[0]), el('td', nf[h] ? 'nf bad' : 'nf', nf[h] || ''));
    if (host[1] === 'unreachable' && !DET[h].length) {
      var td = el('td', 'unr', 'unreachable: ' + str(host[2]));
      td.colSpan = Math.max(1, cols.length);
      return add(tr, td);
    }
    for (var j = 0; j < cols.length; j++) {
      var ch = cells.charAt(cols[j]);
      add(tr, el('td', 'c c-' + (ch === '.' ? 'n' : ch), GLYPH[ch]));
    }
    return tr;
  }

  // Header height (fixed by CSS) is read once and the viewport height once per resize, so a render never
  // forces a layout of the table it is about to replace; the overscan absorbs small differences.
  var headH = -1,
    viewH = -1,
    scrollY = 0;
  function renderBody(force) {
    if (headH < 0) headH = head.offsetHeight;
    if (viewH < 0) viewH = wrap.clientHeight;
    var top = Math.max(0, scrollY - headH);
    var first = Math.max(0, Math.floor(top / ROW) - 10);
    var last = Math.min(rows.length, Math.ceil((top + viewH) / ROW) + 10);
    if (!force && first === rendered[0] && last === rendered[1]) return;
    rendered = [first, last];
    var frag = document.createDocumentFragment();
    if (first > 0) frag.appendChild(spacer(first * ROW));
    for (var r = first; r < last; r++) frag.appendChild(rowEl(rows[r]));
    if (last < rows.length) frag.appendChild(spacer((rows.length - last) * ROW));
    if (!rows.length) {
      var tr = el('tr'),
        td = el('td', 'empty', 'No host matches these filters.');
      td.colSpan = cols.length + 2;
      frag.appendChild(add(tr, td));
    }
    tbody.replaceChildren(frag);
    if (!rowMeasured && rows.length) {
      // The spacer arithmetic needs the real row height (zoom and fonts can make it differ from CSS).
      var tr1 = tbody.querySelector('tr[data-h]');
      var real = tr1 ? tr1.getBoundingClientRect().height : 0;
      rowMeasured = true;
      if (real > 0 && Math.abs(real - ROW) > 0.01) {
        ROW = real;
        renderBody(true);
      }
    }
  }
  var rowMeasured = false;

  var ticking = false;
  wrap.addEventListener('scroll', function () {
    if (ticking) return;
    ticking = true;
    requestAnimationFrame(function () {
      ticking = false;
      scrollY = wrap.scrollTop;
      renderBody(false);
    });
  });
  window.addEventListener('resize', function () {
    viewH = -1;
    renderBody(true);
  });

  tbody.addEventListener('mouseover', function (e) {
    var td = closest(e, 'td.c');
    if (!td || td.title) return;
    var tr = /** @type {HTMLElement} */ (td.parentNode),
      h = Number(tr.getAttribute('data-h')),
      j = Array.prototype.indexOf.call(tr.children, td) - 2;
    var k = cols[j];
    if (k === undefined) return;
    var res = DET[h].filter(function (r) {
      return r[0] === k;
    });
    var change = changeByCell[h + ':' + k];
    td.title =
      H[h][0] +
      ' \u00b7 ' +
      C[k].id +
      ': ' +
      (res.length
        ? res
            .map(function (r) {
              return STATUS[r[1].charAt(0)] + ' \u2014 ' + str(r[2]);
            })
            .join('\n')
        : 'no result') +
      (change ? '\n' + CHANGE[change[2]] + (sinceText(change[3]) ? '; ' + sinceText(change[3]) : '') : '');
  });
  tbody.addEventListener('click', function (e) {
    var tr = closest(e, 'tr[data-h]');
    if (!tr) return;
    var td = closest(e, 'td.c');
    var k = td ? cols[Array.prototype.indexOf.call(tr.children, td) - 2] : undefined;
    openHost(Number(tr.getAttribute('data-h')), k);
  });
  document.addEventListener('click', function (e) {
    var b = closest(e, '[data-host]');
    if (b) openHost(Number(b.getAttribute('data-host')));
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && !$('drawer').hidden) closeHost();
  });

  // ---- host drill-down ----
  function openHost(h, focusCheck) {
    var host = H[h];
    if (!host) return;
    selected = h;
    var d = $('drawer');
    d.hidden = false;
    d.replaceChildren();
    d.setAttribute('data-host-name', host[0]);
    var close = el('button', 'close', 'close \u00d7');
    close.type = 'button';
    close.addEventListener('click', closeHost);
    add(d, close, el('h3', '', host[0]));
    var line = add(el('div', 'meta'), stBadge(host[1]));
    if (host[3].length)
      add(
        line,
        txt(
          ' groups: ' +
            host[3]
              .map(function (g) {
                return D.groups[g];
              })
              .join(', '),
        ),
      );
    add(d, line);
    if (host[2] >= 0) add(d, el('div', 'reason', (host[1] === 'unreachable' ? 'unreachable: ' : 'reason: ') + str(host[2])));

    // What fleet did here: steps that changed the host (fixes, a bridge change and its diff) or failed.
    var steps = STEPS[h] || [];
    if (steps.length) {
      add(d, el('h4', '', 'what fleet did \u2014 ' + steps.length + (steps.length === 1 ? ' step' : ' steps')));
      steps.forEach(function (s) {
        var div = add(el('div', 'res step'), add(el('div', 'head'), stBadge(s[1]), el('span', 'id mono', str(s[0]))));
        if (s[2] >= 0) add(div, el('div', 'msg', str(s[2])));
        if (s[3] >= 0) {
          var out = add(el('details'), el('summary', '', 'output'), el('pre', '', str(s[3])));
          out.open = s[1] === 'failed';
          add(div, out);
        }
        add(d, div);
      });
    }

    var changeOf = {};
    if (D.changes)
      D.changes.checks.forEach(function (c) {
        if (c[0] === h) changeOf[c[1]] = c;
      });
    var results = DET[h].slice().sort(function (a, b) {
      return (
        SRANK[a[1].charAt(0)] - SRANK[b[1].charAt(0)] ||
        SEVRANK[SEV[a[1].charAt(1)]] - SEVRANK[SEV[b[1].charAt(1)]] ||
        C[a[0]].id.localeCompare(C[b[0]].id)
      );
    });
    var problems = results.filter(function (r) {
      var c = r[1].charAt(0);
      return c === 'f' || c === 'e' || c === 'w';
    });
    var others = results.filter(function (r) {
      var c = r[1].charAt(0);
      return c !== 'f' && c !== 'e' && c !== 'w';
    });
    var failing = results.filter(function (r) {
      return isFail(r[1].charAt(0));
    }).length;
    add(d, el('h4', '', 'checks \u2014 ' + failing + ' failing of ' + results.length));
    if (!results.length)
      add(d, empty(host[1] === 'unreachable' ? 'Not checked: the host was not reached.' : 'No check results for this host.'));
    var focusEl = /** @type {HTMLElement | null} */ (null);
    problems.forEach(function (r) {
      var code = r[1],
        st = STATUS[code.charAt(0)],
        sev = SEV[code.charAt(1)],
        fix = code.charAt(2);
      var div = el('div', 'res');
      div.setAttribute('data-check', C[r[0]].id);
      var hd = add(el('div', 'head'), stBadge(st), sevBadge(sev), el('span', 'id mono', C[r[0]].id));
      var ch = changeOf[r[0]];
      if (ch)
        add(
          hd,
          el('span', 'tag tag-' + ch[2], CHANGE[ch[2]]),
          ch[2] !== 'n' ? histStrip(ch[3]) : null,
          el('span', 'muted since', sinceText(ch[3])),
        );
      if (fix) add(hd, el('span', 'tag', FIX[fix]));
      add(div, hd, el('div', 'msg', str(r[2])));
      if (r[4] >= 0) {
        var fx = add(el('details'), el('summary', '', 'suggested fix'), el('pre', '', str(r[4])));
        fx.open = true;
        add(div, fx);
      }
      if (r[3] >= 0) {
        var ev = add(el('details'), el('summary', '', 'evidence'), el('pre', '', pretty(str(r[3]))));
        ev.open = r[0] === focusCheck;
        add(div, ev);
      }
      if (r[0] === focusCheck && !focusEl) focusEl = div;
      add(d, div);
    });

    var inFleet = D.fleet.filter(function (f) {
      return f.status !== 'pass' && f.hosts.indexOf(host[0]) >= 0;
    });
    if (inFleet.length) {
      add(d, el('h4', '', 'fleet-wide findings involving this host'));
      inFleet.forEach(function (f) {
        add(
          d,
          add(
            el('div', 'res'),
            add(el('div', 'head'), stBadge(f.status), sevBadge(f.severity), el('span', 'id mono', f.id)),
            el('div', 'msg', f.message),
          ),
        );
      });
    }
    var facts = host[4];
    add(d, el('h4', '', 'facts'));
    if (!facts.length) add(d, empty('No facts recorded.'));
    else {
      var table = el('table', 'kv');
      for (var i = 0; i + 1 < facts.length; i += 2)
        add(table, add(el('tr'), el('td', 'mono', str(facts[i])), el('td', 'mono', str(facts[i + 1]))));
      add(d, table);
    }

    if (others.length) {
      add(d, el('h4', '', 'passed or skipped \u2014 ' + others.length));
      others.forEach(function (r) {
        var code = r[1],
          st = STATUS[code.charAt(0)],
          fix = code.charAt(2);
        var line = add(el('summary', 'line'), stBadge(st), el('span', 'id mono', C[r[0]].id), el('span', 'muted', str(r[2])));
        var ch = changeOf[r[0]];
        if (ch) add(line, el('span', 'tag tag-' + ch[2], CHANGE[ch[2]]), ch[2] === 'f' ? histStrip(ch[3]) : null);
        if (fix) add(line, el('span', 'tag', FIX[fix]));
        var det = add(el('details', 'res small'), line);
        det.setAttribute('data-check', C[r[0]].id);
        add(det, el('div', 'msg', str(r[2])));
        if (r[3] >= 0) add(det, el('pre', '', pretty(str(r[3]))));
        if (r[4] >= 0) add(det, el('pre', '', str(r[4])));
        if (r[0] === focusCheck && !focusEl) {
          focusEl = det;
          det.open = true;
        }
        add(d, det);
      });
    }
    var missing = [];
    for (var k = 0; k < C.length; k++) if (CELLS[h].charAt(k) === '.') missing.push(C[k].id);
    if (missing.length && results.length) add(d, el('div', 'legend', 'no result for: ' + missing.join(', ')));
    if (focusEl) {
      focusEl.classList.add('focus');
      focusEl.scrollIntoView({ block: 'center' });
    } else d.scrollTop = 0;
    setHash('#host=' + encodeURIComponent(host[0]));
    renderBody(true);
  }

  function closeHost() {
    $('drawer').hidden = true;
    selected = -1;
    setHash('');
    renderBody(true);
  }

  // Deep links (#host=NAME) without adding history entries; some browsers refuse on file://.
  function setHash(hash) {
    try {
      window.history.replaceState(null, '', hash || window.location.pathname + window.location.search);
    } catch (e) {
      /* keep going */
    }
  }

  update(false);
  (function fromHash() {
    var m = /^#host=(.*)$/.exec(window.location.hash);
    if (!m) return;
    var name;
    try {
      name = decodeURIComponent(m[1]);
    } catch (e) {
      return;
    }
    for (var h = 0; h < H.length; h++)
      if (H[h][0] === name) {
        openHost(h);
        return;
      }
  })();
  window.fleetReport = {
    setFilters: setFilters,
    openHost: openHost,
    state: state,
    rows: function () {
      return rows.slice();
    },
  };
})();
