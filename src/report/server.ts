/**
 * `fleet serve`: the latest report and the run history over node:http. Read-only (GET and HEAD only),
 * bound to 127.0.0.1 unless told otherwise, and it answers only requests whose Host header names it
 * (so a DNS-rebinding page in the operator's browser cannot read the results through it).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FleetError } from '../core/errors.js';
import { buildCsv } from './csv.js';
import { HISTORY_CSP, renderHistoryHtml } from './history-page.js';
import { renderReportHtml, reportPolicy } from './html.js';
import { chartAssets } from './assets.js';
import { buildJunit } from './junit.js';
import { assembleReport } from './model.js';
import { loadReportInput } from './build-report.js';
import { loadRunData, type RunReader } from './run-data.js';
import { buildRunJson } from './run-json.js';

export interface ServeOptions {
  readonly port: number;
  readonly bind: string;
  /** Trend length of served reports. */
  readonly trend?: number;
  /** Called for each request (method, path, status): the command logs them. */
  readonly log?: (line: string) => void;
  /**
   * Extra paths the caller answers (the daemon's /metrics and /schedules/NAME), asked after the Host
   * and method checks; undefined falls through to the report routes.
   */
  readonly routes?: (path: string) => Promise<ExtraRoute | undefined>;
}

export type ExtraRoute = { readonly type: string; readonly body: string } | { readonly redirect: string };

export interface RunningServer {
  /** http://bind:port/ */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the server; resolves once it listens. */
export async function startReportServer(store: RunReader, opts: ServeOptions): Promise<RunningServer> {
  let port = opts.port;
  const server: Server = createServer((req, res) => {
    handle(store, opts, port, req, res).catch((err: unknown) => {
      const message = err instanceof FleetError ? err.message : 'internal error';
      if (!(err instanceof FleetError))
        opts.log?.(`${req.method ?? '?'} ${req.url ?? ''} failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) send(res, err instanceof FleetError ? 404 : 500, 'text/plain; charset=utf-8', `${message}\n`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new FleetError(
          err.code === 'EADDRINUSE'
            ? `port ${opts.port} on ${opts.bind} is already in use (try --port)`
            : `cannot listen on ${opts.bind}:${opts.port}: ${err.message}`,
        ),
      ),
    );
    server.listen(opts.port, opts.bind, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const host = opts.bind.includes(':') ? `[${opts.bind}]` : opts.bind;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(store: RunReader, opts: ServeOptions, port: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const done = (status: number) => opts.log?.(`${req.method ?? '?'} ${path} ${status}`);
  if (!hostAllowed(req.headers.host, opts.bind, port)) {
    send(res, 421, 'text/plain; charset=utf-8', 'fleet serve answers only to its own address\n');
    return done(421);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'text/plain; charset=utf-8', 'read-only: GET and HEAD only\n');
    return done(405);
  }
  const head = req.method === 'HEAD';
  const extra = await opts.routes?.(path);
  if (extra && 'redirect' in extra) {
    res.setHeader('Location', extra.redirect);
    send(res, 302, 'text/plain; charset=utf-8', `see ${extra.redirect}\n`, "default-src 'none'", head);
    return done(302);
  }
  if (extra) {
    send(res, 200, extra.type, extra.body, "default-src 'none'", head);
    return done(200);
  }
  if (path === '/runs' || path === '/runs/') {
    const runs = await store.listRuns({ limit: 500 });
    send(res, 200, 'text/html; charset=utf-8', renderHistoryHtml(runs), HISTORY_CSP, head);
    return done(200);
  }
  const m = /^\/(?:runs\/(\d+))?(?:\/export\.(json|xml|csv))?$/.exec(path);
  if (!m || (m[2] && !m[1])) {
    send(res, 404, 'text/plain; charset=utf-8', 'not found: try / (latest report) or /runs (history)\n');
    return done(404);
  }
  let runId = m[1] ? Number(m[1]) : undefined;
  if (runId === undefined) {
    const [latest] = await store.listRuns({ limit: 1 });
    if (!latest) {
      send(res, 200, 'text/html; charset=utf-8', renderHistoryHtml([]), HISTORY_CSP, head);
      return done(200);
    }
    runId = latest.id;
  }
  if (m[2]) {
    const data = await loadRunData(store, runId);
    const [type, body] =
      m[2] === 'json'
        ? ['application/json; charset=utf-8', `${JSON.stringify(buildRunJson(data.run, data.hosts, data.checks, data.fleet), null, 2)}\n`]
        : m[2] === 'xml'
          ? ['application/xml; charset=utf-8', buildJunit(data)]
          : ['text/csv; charset=utf-8', buildCsv(data)];
    res.setHeader('Content-Disposition', `attachment; filename="fleet-run-${runId}.${m[2]}"`);
    send(res, 200, type, body, "default-src 'none'", head);
    return done(200);
  }
  const input = await loadReportInput(store, runId, { ...(opts.trend ? { trend: opts.trend } : {}) });
  const model = {
    ...assembleReport(input),
    links: { history: '/runs', previous: input.previous ? `/runs/${input.previous.run.id}` : null },
  };
  const assets = chartAssets();
  send(res, 200, 'text/html; charset=utf-8', renderReportHtml(model, assets), reportPolicy(assets), head);
  return done(200);
}

/**
 * The Host header must name this server by address: the bind address, localhost names when bound to
 * loopback, any IP literal when bound to all interfaces. DNS names are refused: that is what a
 * rebinding attack would send.
 */
export function hostAllowed(hostHeader: string | undefined, bind: string, port: number): boolean {
  if (!hostHeader) return false;
  const m = /^(\[[0-9a-f:.]+\]|[^:]+)(?::(\d+))?$/i.exec(hostHeader.trim().toLowerCase());
  if (!m || Number(m[2] ?? 80) !== port) return false;
  const name = (m[1] ?? '').replace(/^\[|\]$/g, '');
  if (name === bind) return true;
  const wildcard = bind === '0.0.0.0' || bind === '::';
  if ((isLoopback(bind) || wildcard) && (name === 'localhost' || isLoopback(name))) return true;
  return wildcard && isIpLiteral(name);
}

function isIpLiteral(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || (name.includes(':') && /^[0-9a-f:.]+$/.test(name));
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(bind: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(bind) || bind === '::1' || bind === 'localhost';
}

function send(res: ServerResponse, status: number, type: string, body: string, csp = "default-src 'none'", head = false): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
  });
  res.end(head ? undefined : body);
}
