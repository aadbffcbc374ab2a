/**
 * The report as ONE self-contained HTML file: stylesheet, uPlot, the page script and the data island
 * inline, no request to anything. A strict Content-Security-Policy pins the two scripts and the one
 * stylesheet by hash, so even if hostile text slipped into markup it could neither run script nor load
 * anything; and it does not slip in: host data lives only in a JSON island read with JSON.parse.
 */
import { createHash } from 'node:crypto';
import { chartAssets, pageAssets, type ChartAssets } from './assets.js';
import { escapeHtml, jsonForScript } from './escape.js';
import type { ReportModel } from './model.js';
import { PAGE_BODY } from './page-body.js';

/** The Content-Security-Policy for a page with these inline scripts and styles. */
export function contentSecurityPolicy(scripts: readonly string[], styles: readonly string[]): string {
  const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
  return [
    "default-src 'none'",
    `script-src ${scripts.map(hash).join(' ')}`,
    `style-src ${styles.map(hash).join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The report page's stylesheet: uPlot's, then ours. */
function pageStyle(assets: ChartAssets): string {
  return `${assets.style}\n${pageAssets().style}`;
}

/** The CSP of the report page (also sent as a header by `fleet serve`). */
export function reportPolicy(assets: ChartAssets = chartAssets()): string {
  return contentSecurityPolicy([assets.script, pageAssets().script], [pageStyle(assets)]);
}

/** Renders the report page. */
export function renderReportHtml(model: ReportModel, assets: ChartAssets = chartAssets()): string {
  const style = pageStyle(assets);
  const csp = reportPolicy(assets);
  const title = `fleet report — ${model.run.playbook} — run ${model.run.id}`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${style}</style>`,
    '</head>',
    '<body>',
    PAGE_BODY,
    `<script type="application/json" id="fleet-data">${jsonForScript(model)}</script>`,
    `<script>${assets.script}</script>`,
    `<script>${pageAssets().script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
