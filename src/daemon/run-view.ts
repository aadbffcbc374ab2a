/** A recorded run as change detection sees it: per host its status, per check its status and message. */
import type { CheckView, HostView, RunView } from '../schedule/run-view.js';
import type { RunStore } from '../store/types.js';

export async function loadRunView(store: Pick<RunStore, 'getHosts' | 'getChecks'>, runId: number): Promise<RunView> {
  const [hosts, checks] = await Promise.all([store.getHosts(runId), store.getChecks(runId)]);
  const byHost = new Map<string, Map<string, CheckView>>();
  for (const c of checks) {
    let m = byHost.get(c.host);
    if (!m) byHost.set(c.host, (m = new Map()));
    m.set(c.checkId, { status: c.status, ...(c.message ? { message: c.message } : {}) });
  }
  const view = new Map<string, HostView>();
  for (const h of hosts) view.set(h.host, { status: h.status, checks: byHost.get(h.host) ?? new Map() });
  return { runId, hosts: view };
}
