/**
 * What the report page inlines, read once: uPlot (the trend chart) from node_modules, and the page's
 * own script and stylesheet from templates/report/ (real files: the script is type-checked with
 * // @ts-check by templates/report/tsconfig.json). The report makes no requests.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { templatesDir } from '../templates/dir.js';

export interface ChartAssets {
  readonly script: string;
  readonly style: string;
}

let cached: ChartAssets | undefined;

/** uPlot's minified IIFE build and stylesheet. */
export function chartAssets(): ChartAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const script = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const style = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  // Inlined verbatim inside <script>/<style>: these sequences would end the element early.
  if (/<\/script|<!--/i.test(script) || /<\/style/i.test(style)) throw new Error('uPlot asset contains a closing tag; cannot inline it');
  cached = { script, style };
  return cached;
}

export interface PageAssets {
  readonly script: string;
  readonly style: string;
}

let page: PageAssets | undefined;

/** The report page's own script and stylesheet (templates/report/page.js and page.css). */
export function pageAssets(): PageAssets {
  if (page) return page;
  const dir = path.join(templatesDir(), 'report');
  const script = readFileSync(path.join(dir, 'page.js'), 'utf8');
  const style = readFileSync(path.join(dir, 'page.css'), 'utf8');
  if (/<\/script|<!--/i.test(script) || /<\/style/i.test(style))
    throw new Error('report page asset contains a closing tag; cannot inline it');
  page = { script, style };
  return page;
}
