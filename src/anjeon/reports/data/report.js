// anjeon report: language toggle and the drill-down table. No network, no library.
// Model output only ever reaches the page through textContent, never innerHTML.
(function () {
  "use strict";
  var root = document.documentElement;
  var UI = JSON.parse(document.getElementById("ui-strings").textContent);
  var D = JSON.parse(document.getElementById("cell-data").textContent);
  var S = UI.strings, NAMES = UI.names;
  var PAGE = 50;
  var lang = root.classList.contains("lang-ko") ? "ko" : "en";

  function tr(key, args) {
    var e = S[key];
    var s = e ? e[lang] : key;
    if (args) Object.keys(args).forEach(function (k) { s = s.split("{" + k + "}").join(String(args[k])); });
    return s;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function label(col, v) {
    if (col === "outcome") return S["out_" + v] ? tr("out_" + v) : v;
    if (col === "result") return S["res_" + v] ? tr("res_" + v) : v;
    if (col === "kind") return S["kind_" + v] ? tr("kind_" + v) : v;
    if (col === "hazard" && NAMES.hazard[v]) return v + " — " + NAMES.hazard[v][lang];
    if (col === "persona" && NAMES.persona[v]) return NAMES.persona[v][lang];
    return v;
  }

  // ---- language -------------------------------------------------------------------
  function setLang(l) {
    lang = l;
    root.classList.remove("lang-en", "lang-ko");
    root.classList.add("lang-" + l);
    root.setAttribute("lang", l);
    document.getElementById("lang-toggle").setAttribute("aria-label", tr("lang_toggle_label"));
    fillSelects();
    render();
    if (open >= 0) showTranscript(open);
  }
  document.getElementById("lang-toggle").addEventListener("click", function () {
    setLang(lang === "en" ? "ko" : "en");
  });

  // ---- filters --------------------------------------------------------------------
  var C = D.cols, N = D.n, dims = D.dims;
  var FILTERS = ["hazard", "locale", "persona", "transform", "kind", "outcome", "result"];
  // hazards filter on the universal parent, so "prv" also finds "prv.kr.rrn"
  var parentOf = dims.hazard.map(function (h) { return h.split(".")[0]; });
  var selects = {};
  FILTERS.forEach(function (col) {
    selects[col] = document.querySelector('select[data-col="' + col + '"]');
    selects[col].addEventListener("change", function () { page = 0; apply(); });
  });
  function choices(col) {
    if (col === "hazard") {
      var seen = {}, out = [];
      parentOf.concat(dims.hazard).forEach(function (h) { if (!seen[h]) { seen[h] = 1; out.push(h); } });
      return out.sort();
    }
    return dims[col].slice().sort();
  }
  function fillSelects() {
    FILTERS.forEach(function (col) {
      var sel = selects[col], keep = sel.value;
      while (sel.options.length > 1) sel.remove(1);
      sel.options[0].textContent = tr("filter_all");
      choices(col).forEach(function (v) { sel.add(new Option(label(col, v), v)); });
      sel.value = keep;
    });
  }

  var search = document.getElementById("search");
  var lower = null, timer = null;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { page = 0; apply(); }, 150);
  });
  document.getElementById("reset").addEventListener("click", function () {
    FILTERS.forEach(function (c) { selects[c].value = ""; });
    search.value = "";
    page = 0;
    apply();
  });

  var rows = null, page = 0;
  function apply() {
    var want = {};
    FILTERS.forEach(function (col) {
      var v = selects[col].value;
      if (!v) return;
      var ok = new Uint8Array(dims[col].length);
      dims[col].forEach(function (d, i) {
        ok[i] = col === "hazard" ? (d === v || parentOf[i] === v) : d === v;
      });
      want[col] = ok;
    });
    var q = search.value.trim().toLowerCase();
    if (q && !lower) lower = D.texts.map(function (s) { return s.toLowerCase(); });
    var cols = Object.keys(want), out = [];
    for (var i = 0; i < N; i++) {
      var pass = true;
      for (var k = 0; k < cols.length; k++) {
        if (!want[cols[k]][C[cols[k]][i]]) { pass = false; break; }
      }
      if (pass && q) pass = matches(i, q);
      if (pass) out.push(i);
    }
    rows = out;
    render();
  }
  function matches(i, q) {
    if (C.resp[i] >= 0 && lower[C.resp[i]].indexOf(q) >= 0) return true;
    if (D.items[C.item[i]].toLowerCase().indexOf(q) >= 0) return true;
    var conv = D.convs[C.conv[i]];
    for (var j = 1; j < conv.length; j += 2) if (lower[conv[j]].indexOf(q) >= 0) return true;
    return false;
  }

  // ---- table ----------------------------------------------------------------------
  var body = document.getElementById("cell-rows");
  document.getElementById("prev").addEventListener("click", function () { if (page > 0) { page--; render(); } });
  document.getElementById("next").addEventListener("click", function () {
    if ((page + 1) * PAGE < rows.length) { page++; render(); }
  });
  function render() {
    if (!rows) return;
    var pages = Math.max(1, Math.ceil(rows.length / PAGE));
    if (page >= pages) page = pages - 1;
    document.getElementById("count").textContent = tr("shown", { shown: rows.length.toLocaleString(), total: N.toLocaleString() });
    document.getElementById("page").textContent = tr("page", { page: page + 1, pages: pages });
    document.getElementById("prev").disabled = page === 0;
    document.getElementById("next").disabled = page + 1 >= pages;
    var frag = document.createDocumentFragment();
    var end = Math.min(rows.length, (page + 1) * PAGE);
    for (var r = page * PAGE; r < end; r++) frag.appendChild(row(rows[r]));
    if (!rows.length) {
      var tr0 = el("tr"), td = el("td", "muted", tr("no_cells"));
      td.colSpan = 9;
      tr0.appendChild(td);
      frag.appendChild(tr0);
    }
    body.textContent = "";
    body.appendChild(frag);
  }
  function row(i) {
    var tr0 = el("tr");
    tr0.tabIndex = 0;
    tr0.dataset.cell = i;
    var h = dims.hazard[C.hazard[i]], res = dims.result[C.result[i]];
    tr0.appendChild(el("td", "muted", i + 1));
    tr0.appendChild(el("td", "mono", D.items[C.item[i]]));
    var th = el("td", "mono", h);
    if (NAMES.hazard[h] || NAMES.hazard[h.split(".")[0]]) th.title = (NAMES.hazard[h] || NAMES.hazard[h.split(".")[0]])[lang];
    tr0.appendChild(th);
    tr0.appendChild(el("td", null, dims.locale[C.locale[i]]));
    tr0.appendChild(el("td", null, label("persona", dims.persona[C.persona[i]])));
    tr0.appendChild(el("td", "mono", dims.transform[C.transform[i]]));
    tr0.appendChild(el("td", null, C.epoch[i]));
    tr0.appendChild(el("td", null, label("outcome", dims.outcome[C.outcome[i]])));
    var rc = el("td");
    rc.appendChild(el("span", "res res-" + res, label("result", res)));
    tr0.appendChild(rc);
    return tr0;
  }
  function pick(e) {
    var t = e.target.closest ? e.target.closest("tr[data-cell]") : null;
    if (t) showTranscript(+t.dataset.cell);
  }
  body.addEventListener("click", pick);
  body.addEventListener("keydown", function (e) { if (e.key === "Enter") pick(e); });

  // ---- transcript -----------------------------------------------------------------
  var open = -1;
  var panel = document.getElementById("transcript");
  function closeTranscript() { panel.hidden = true; open = -1; }
  document.getElementById("tr-close").addEventListener("click", closeTranscript);
  document.addEventListener("keydown", function (e) { if (e.key === "Escape" && open >= 0) closeTranscript(); });
  function meta(dl, key, value, raw) {
    var pair = el("div");
    pair.appendChild(el("dt", null, raw ? key : tr(key)));
    pair.appendChild(el("dd", null, value));
    dl.appendChild(pair);
  }
  function showTranscript(i) {
    open = i;
    document.getElementById("tr-item").textContent = D.items[C.item[i]];
    var dl = document.getElementById("tr-meta");
    dl.textContent = "";
    meta(dl, "hazard", label("hazard", dims.hazard[C.hazard[i]]));
    meta(dl, "locale", dims.locale[C.locale[i]]);
    meta(dl, "persona", label("persona", dims.persona[C.persona[i]]));
    meta(dl, "transform", dims.transform[C.transform[i]]);
    meta(dl, "epoch", C.epoch[i]);
    meta(dl, "kind", label("kind", dims.kind[C.kind[i]]));
    meta(dl, "expected", dims.expected[C.expected[i]]);
    meta(dl, "outcome", label("outcome", dims.outcome[C.outcome[i]]));
    meta(dl, "result", label("result", dims.result[C.result[i]]));
    Object.keys(D.scores).forEach(function (name) {
      var s = D.scores[name], v = s.col[i];
      meta(dl, name, v >= 0 ? s.labels[v] : "—", true);
    });
    if (C.fin[i] >= 0) meta(dl, "finish_reason", D.finish[C.fin[i]]);
    if (C.tin[i] !== null || C.tout[i] !== null) meta(dl, "tokens", (C.tin[i] === null ? "—" : C.tin[i]) + " / " + (C.tout[i] === null ? "—" : C.tout[i]));
    if (C.lat[i] !== null) meta(dl, "latency", C.lat[i] < 1 ? "< 1 ms" : C.lat[i] + " ms");
    var box = document.getElementById("tr-messages");
    box.textContent = "";
    var conv = D.convs[C.conv[i]];
    for (var j = 0; j < conv.length; j += 2) {
      var role = D.texts[conv[j]];
      box.appendChild(message(S["role_" + role] ? tr("role_" + role) : role, D.texts[conv[j + 1]], "msg-" + role));
    }
    if (C.resp[i] >= 0) box.appendChild(message(tr("response"), D.texts[C.resp[i]], "msg-assistant msg-response"));
    else box.appendChild(message(tr("response"), tr("no_response"), "msg-empty"));
    if (C.err[i] >= 0) box.appendChild(message(tr("error"), D.texts[C.err[i]], "msg-error"));
    panel.hidden = false;
    document.getElementById("tr-close").focus();
  }
  function message(who, text, cls) {
    var m = el("div", "msg " + cls);
    m.appendChild(el("div", "who", who));
    m.appendChild(el("div", "text", text));  // textContent: the model's text stays text
    return m;
  }

  var stored = null;
  try { stored = window.localStorage.getItem("anjeon-lang"); } catch (e) { stored = null; }
  document.getElementById("lang-toggle").addEventListener("click", function () {
    try { window.localStorage.setItem("anjeon-lang", lang); } catch (e) { /* file:// may forbid it */ }
  });
  fillSelects();
  apply();
  if (stored && stored !== lang && (stored === "en" || stored === "ko")) setLang(stored);
})();
