/** uPlot (the trend chart), read from node_modules once and inlined: the report makes no requests. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

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
