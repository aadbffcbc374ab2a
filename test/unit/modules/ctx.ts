/** A ModuleContext over a real local shell in a temp directory, for calling modules directly. */
import type { ModuleContext } from '../../../src/modules/types.js';
import { TemplateEngine } from '../../../src/templates/render.js';
import { LocalDirConnection } from '../playbook/local-connection.js';
import { testCatalog } from '../playbook/test-catalog.js';

export function moduleCtx(
  dir: string,
  opts: { dryRun?: boolean; diff?: boolean; vars?: Record<string, unknown>; playbookDir?: string } = {},
): ModuleContext & { conn: LocalDirConnection } {
  const conn = new LocalDirConnection('h1', dir);
  const playbookDir = opts.playbookDir ?? dir;
  return {
    conn,
    host: 'h1',
    task: { id: 'p1.t1', name: 't', loc: { file: 'pb.yml', line: 3 } },
    dryRun: opts.dryRun ?? false,
    diff: opts.diff ?? false,
    vars: opts.vars ?? {},
    engine: new TemplateEngine({ searchPaths: [`${playbookDir}/templates`, playbookDir] }),
    playbookDir,
    catalog: testCatalog(),
    signal: new AbortController().signal,
    exec: (command, req) =>
      conn.exec(command, {
        ...(req?.stdin !== undefined ? { stdin: req.stdin } : {}),
        ...(req?.timeoutMs ? { timeoutMs: req.timeoutMs } : {}),
      }),
    facts: async () => ({ files: [] }),
    reconnect: async () => undefined,
  };
}
