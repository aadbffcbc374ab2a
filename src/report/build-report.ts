/** Reads what a report needs from the store and renders it: the one async entry point for `fleet report` and `fleet serve`. */
import type { CheckRow, RunRow } from '../store/types.js';
import { renderReportHtml } from './html.js';
import { assembleReport, type ReportInput, type ReportModel } from './model.js';
import { loadFacts, loadRunData, type RunReader } from './run-data.js';
import { previousRun, runsBefore } from './select-run.js';
import { stepsWorthShowing } from './steps.js';

export interface ReportOptions {
  /** Runs in the trend chart, this one included (default 30). */
  readonly trend?: number;
  /** Runs the flapping window spans, this one included (default 5). */
  readonly flapWindow?: number;
  /** Clock for "generated at" (tests pin it). */
  readonly now?: number;
}

export const DEFAULT_TREND = 30;
export const DEFAULT_FLAP_WINDOW = 5;

/** Everything the report of `runId` shows, read from the store. */
export async function loadReportInput(store: RunReader, runId: number, opts: ReportOptions = {}): Promise<ReportInput> {
  const data = await loadRunData(store, runId);
  const trendN = Math.max(1, opts.trend ?? DEFAULT_TREND);
  const flapN = Math.max(2, opts.flapWindow ?? DEFAULT_FLAP_WINDOW);
  const facts = await loadFacts(
    store,
    runId,
    data.hosts.map((h) => h.host),
  );
  const before = await runsBefore(store, data.run, Math.max(trendN, flapN) + 10);
  // Finished runs only: a running or interrupted run's partial host list would read as changes.
  const finished = before.filter((r) => r.status === 'completed' || r.status === 'failed');
  const prev = await previousRun(store, data.run);
  let previous: ReportInput['previous'] = null;
  const history: { run: RunRow; checks: CheckRow[] }[] = [];
  if (prev) {
    previous = { run: prev, hosts: await store.getHosts(prev.id) };
    // The flapping window starts at the previous run and goes back in time.
    for (const r of finished.filter((x) => x.startedAt <= prev.startedAt).slice(0, flapN - 1))
      history.push({ run: r, checks: await store.getChecks(r.id) });
  }
  const trend = [...finished.slice(0, trendN - 1).reverse(), data.run];
  const steps = stepsWorthShowing(await store.getSteps(runId, undefined, { changedOrFailed: true }), data.checks);
  return { data, facts, previous, history, trend, steps, generatedAt: opts.now ?? Date.now() };
}

/** The report's data island and its HTML page. */
export async function buildReport(
  store: RunReader,
  runId: number,
  opts: ReportOptions = {},
): Promise<{ model: ReportModel; html: string }> {
  const model = assembleReport(await loadReportInput(store, runId, opts));
  return { model, html: renderReportHtml(model) };
}
