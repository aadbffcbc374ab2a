/** The run history page `fleet serve` shows: a plain table (no script), every value escaped. */
import type { RunRow } from '../store/types.js';
import { contentSecurityPolicy } from './html.js';
import { escapeHtml } from './escape.js';

const STYLE = `body{font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:12px 16px;color:#1d2329}
h1{font-size:17px;margin:0 0 8px}table{border-collapse:collapse}th,td{padding:2px 10px 2px 0;border-bottom:1px solid #e6eaee;text-align:left;white-space:nowrap}
th{font-size:11px;text-transform:uppercase;color:#5f6b76}td.n{text-align:right;font-variant-numeric:tabular-nums}a{color:#0b5cad}
.completed{color:#2e7d32}.failed{color:#c62828}.interrupted,.running{color:#8a6d00}.muted{color:#5f6b76}`;

/** The CSP of the history page: its one stylesheet, nothing else. */
export const HISTORY_CSP = contentSecurityPolicy([], [STYLE]);

/** Runs newest first, each linking to its report and exports. */
export function renderHistoryHtml(runs: readonly RunRow[]): string {
  const rows = runs.map((r) => {
    const c = r.hostCounts;
    const took = r.finishedAt === null ? '–' : `${((r.finishedAt - r.startedAt) / 1000).toFixed(1)}s`;
    return (
      `<tr><td><a href="/runs/${r.id}">${r.id}</a></td><td>${escapeHtml(new Date(r.startedAt).toISOString().replace('T', ' ').slice(0, 19))}</td><td class="n">${took}</td>` +
      `<td class="${escapeHtml(r.status)}">${escapeHtml(r.status)}</td><td>${escapeHtml(r.playbook)}</td>` +
      `<td class="n">${(c.ok ?? 0) + (c.changed ?? 0)}</td><td class="n">${c.failed ?? 0}</td><td class="n">${c.unreachable ?? 0}</td>` +
      `<td>${escapeHtml(r.limit ?? '')}</td><td><a href="/runs/${r.id}/export.json">json</a> <a href="/runs/${r.id}/export.xml">junit</a> <a href="/runs/${r.id}/export.csv">csv</a></td></tr>`
    );
  });
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(HISTORY_CSP)}">`,
    '<meta name="referrer" content="no-referrer"><title>fleet — run history</title>',
    `<style>${STYLE}</style></head><body>`,
    '<h1>fleet — run history</h1>',
    runs.length ? '<p><a href="/">latest report</a></p>' : '<p class="muted">No runs recorded yet.</p>',
    '<table><tr><th>run</th><th>started (UTC)</th><th>took</th><th>status</th><th>playbook</th><th>ok</th><th>failed</th><th>unreach.</th><th>limit</th><th>export</th></tr>',
    ...rows,
    '</table></body></html>',
    '',
  ].join('\n');
}
