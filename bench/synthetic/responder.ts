/**
 * One responder process of the synthetic fleet: an ssh2 Server per host, each on its own loopback
 * address with its own host key, letting in one client key as root and answering fleet's facts script
 * with that host's recorded output. Anything else exec'd exits 127: a benchmark must notice when fleet
 * starts running more than the facts script.
 *
 * Started by SyntheticFleet (child_process.fork); configured and queried over IPC (protocol.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ssh2, { type AuthContext } from 'ssh2';
import { ed25519KeyPair } from '../../test/fleet/keys.js';
import type { FromResponder, StartMessage, SyntheticHost, ToResponder } from './protocol.js';
import { RECORDED_DIR } from './recordings.js';
import { compileTemplate, type FactsTemplate } from './template.js';

// The first line of fleet's facts script (src/facts/script.ts), whatever wraps it (fleet's transport
// runs it under `exec /bin/sh -c … fleet '<script>'` with a timeout guard): the one command understood.
const FACTS_MARK = '# fleet facts v1';

let connections = 0;
let execs = 0;

function send(m: FromResponder): void {
  process.send?.(m);
}

function templates(names: Iterable<string>, cloned: boolean): Map<string, FactsTemplate> {
  const out = new Map<string, FactsTemplate>();
  for (const n of names) out.set(n, compileTemplate(readFileSync(path.join(RECORDED_DIR, `${n}.txt`), 'utf8'), cloned));
  return out;
}

function serve(host: SyntheticHost, hostKey: string, clientKey: ssh2.ParsedKey, template: FactsTemplate, delayMs: number): Promise<void> {
  const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    connections++;
    client.on('error', () => undefined);
    client.on('authentication', (ctx: AuthContext) => {
      if (
        ctx.method === 'publickey' &&
        ctx.username === 'root' &&
        ctx.key.algo === clientKey.type &&
        ctx.key.data.equals(clientKey.getPublicSSH()) &&
        (!ctx.signature || clientKey.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true)
      ) {
        return ctx.accept();
      }
      ctx.reject(['publickey']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('exec', (acceptExec, _reject, info) => {
          const ch = acceptExec();
          execs++;
          const answer = () => {
            if (info.command.includes(FACTS_MARK)) {
              ch.end(template.render(host));
              ch.exit(0);
            } else {
              ch.stderr.write(`synthetic host ${host.name} only answers fleet's facts script\n`);
              ch.exit(127);
              ch.end();
            }
          };
          if (delayMs > 0) setTimeout(answer, delayMs);
          else answer();
        });
      });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(host.port, host.address, () => resolve());
  });
}

async function start(m: StartMessage): Promise<void> {
  const parsed = ssh2.utils.parseKey(m.clientPublicKey);
  const clientKey = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!clientKey || clientKey instanceof Error) throw new Error(`bad client key: ${String(clientKey)}`);
  const tpl = templates(new Set(m.hosts.map((h) => h.recording)), m.cloned);
  const t0 = performance.now();
  const keys = m.hosts.map((h) => ed25519KeyPair(`synthetic ${h.name}`));
  const t1 = performance.now();
  await Promise.all(m.hosts.map((h, i) => serve(h, keys[i]!.private, clientKey, tpl.get(h.recording)!, m.delayMs)));
  send({ type: 'ready', publicKeys: keys.map((k) => k.public), keygenMs: t1 - t0, listenMs: performance.now() - t1 });
}

process.on('message', (m: ToResponder) => {
  if (m.type === 'start') {
    start(m).catch((e: unknown) => send({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
  } else if (m.type === 'usage') {
    const u = process.cpuUsage();
    send({ type: 'usage', userUs: u.user, systemUs: u.system, rssBytes: process.memoryUsage().rss, connections, execs });
  }
});
// The parent going away (crash, Ctrl-C) takes this process with it: no orphaned listeners.
process.on('disconnect', () => process.exit(0));
