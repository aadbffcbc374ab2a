/**
 * What the report page inlines, read once: uPlot (the trend chart) from node_modules, and the page's
 * own script and stylesheet from templates/report/ (real files: the script is type-checked with
 * // @ts-check by templates/report/tsconfig.json). The report makes no requests.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { templatesDir } from '../templates/dir.js';

/** A script and a stylesheet to inline into the page. */
export interface InlineAssets {
  readonly script: string;
  readonly style: string;
}

/** uPlot's assets (kept as a name of their own: the report model's callers pass them around). */
export type ChartAssets = InlineAssets;

/** Reads a script and a stylesheet once; `what` names them in the error. */
function readInline(what: string, scriptFile: string, styleFile: string): InlineAssets {
  const script = readFileSync(scriptFile, 'utf8');
  const style = readFileSync(styleFile, 'utf8');
  // Inlined verbatim inside <script>/<style>: these sequences would end the element early.
  if (/<\/script|<!--/i.test(script) || /<\/style/i.test(style)) throw new Error(`${what} contains a closing tag; cannot inline it`);
  return { script, style };
}

let chart: InlineAssets | undefined;
let page: InlineAssets | undefined;

/** uPlot's minified IIFE build and stylesheet. */
export function chartAssets(): InlineAssets {
  const require = createRequire(import.meta.url);
  return (chart ??= readInline(
    'uPlot asset',
    require.resolve('uplot/dist/uPlot.iife.min.js'),
    require.resolve('uplot/dist/uPlot.min.css'),
  ));
}

/** The report page's own script and stylesheet (templates/report/page.js and page.css). */
export function pageAssets(): InlineAssets {
  const dir = path.join(templatesDir(), 'report');
  return (page ??= readInline('report page asset', path.join(dir, 'page.js'), path.join(dir, 'page.css')));
}
