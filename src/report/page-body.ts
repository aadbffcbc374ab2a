/**
 * The static skeleton of the report page. It holds no data: the script fills it from the JSON data
 * island with textContent only, so nothing a host sent is ever parsed as markup.
 */
export const PAGE_BODY = `
<header>
  <nav id="nav" class="meta" hidden></nav>
  <h1 id="title">fleet report</h1>
  <div class="meta" id="meta"></div>
</header>
<noscript><p>This report is drawn by its inline script; JavaScript is off. The same data: <code>fleet export RUN --format json</code>.</p></noscript>
<div class="tiles" id="tiles"></div>
<div class="grid">
  <section class="panel" id="p-ranked"><h2>Failing checks, by hosts affected</h2><div id="ranked"></div></section>
  <section class="panel changes" id="p-changes"><h2 id="changes-title">Changes</h2><div id="changes"></div></section>
</div>
<div class="grid">
  <section class="panel" id="p-trend"><h2 id="trend-title">Trend</h2><div id="trend"></div></section>
  <section class="panel" id="p-fleet"><h2>Fleet-wide findings</h2><div id="fleet"></div></section>
</div>
<section class="panel" id="p-matrix">
  <h2>Hosts × checks</h2>
  <div class="toolbar">
    <input type="search" id="f-q" placeholder="host name (* wildcard)" aria-label="Search host names" autocomplete="off" spellcheck="false">
    <label>group <select id="f-group"><option value="-1">all</option></select></label>
    <label>hosts <select id="f-status">
      <option value="">all</option>
      <option value="failing">failing</option>
      <option value="new">new failures</option>
      <option value="warn">warning</option>
      <option value="unreachable">unreachable</option>
      <option value="ok">ok</option>
    </select></label>
    <label>severity <select id="f-sev">
      <option value="4">any</option>
      <option value="0">critical</option>
      <option value="1">high and worse</option>
      <option value="2">medium and worse</option>
      <option value="3">low and worse</option>
    </select></label>
    <label>check <select id="f-check"><option value="-1">all</option></select></label>
    <label><input type="checkbox" id="f-failcols"> only failing checks</label>
    <button type="button" id="f-reset">reset</button>
    <span id="mx-count"></span>
  </div>
  <div id="mx-wrap"><table id="mx"><thead><tr id="mx-head"></tr></thead><tbody id="mx-body"></tbody></table></div>
  <div class="legend">cells:<i class="c-f"></i>fail<i class="c-e"></i>error<i class="c-w"></i>warn<i class="c-p"></i>pass<i class="c-s"></i>skipped<i class="c-n"></i>no result
    &nbsp;· click a host for every check, evidence and fix · click a check name to sort by it · the ✕ column counts failing checks shown</div>
</section>
<aside id="drawer" hidden aria-label="Host details"></aside>
<footer id="footer"></footer>
`;
