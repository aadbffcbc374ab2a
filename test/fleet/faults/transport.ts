/**
 * Faults of the way in (SSH), not of VM networking: sshd gone, host key changed, key no longer
 * authorised, a slow/lossy management link, a command that never returns.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCmd, SimFleetError } from '../exec.js';
import { ed25519KeyPair } from '../keys.js';
import type { FaultImpl } from './types.js';

export const sshdStopped: FaultImpl<'sshd-stopped'> = async (ctx) => {
  await ctx.stopSshd();
};

export const hostkeyChanged: FaultImpl<'hostkey-changed'> = async (ctx) => {
  const k = ed25519KeyPair(`${ctx.h.host.netns}-rekeyed`);
  writeFileSync(ctx.h.hostKeyPath, k.private, { mode: 0o600 });
  writeFileSync(`${ctx.h.hostKeyPath}.pub`, `${k.public.trim()}\n`);
  await ctx.startSshd();
};

export const authkeyRemoved: FaultImpl<'authkey-removed'> = async (ctx) => {
  writeFileSync(ctx.h.authorizedKeysPath, '# fleet key removed by the authkey-removed fault\n');
};

let netemSupport: boolean | undefined;

/** Whether this kernel has sch_netem (probed once, on lo inside a host namespace). */
async function hasNetem(netns: string): Promise<boolean> {
  if (netemSupport === undefined) {
    const r = await runCmd('ip', ['netns', 'exec', netns, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
    netemSupport = r.code === 0;
    if (netemSupport) await runCmd('ip', ['netns', 'exec', netns, 'tc', 'qdisc', 'del', 'dev', 'lo', 'root']);
  }
  return netemSupport;
}

const RELAY_PORT = 2222;

/**
 * TCP delay relay for kernels without netem: listens in the host namespace, forwards each chunk to
 * the real sshd after `delay` ms in each direction. Connections reach it through an nft redirect of
 * new inbound port-22 connections (existing sessions keep their direct path).
 */
const RELAY_JS = `
const net = require('net');
const [port, host, delay] = process.argv.slice(1).map((v, i) => (i === 1 ? v : Number(v)));
const pipe = (a, b) => {
  a.on('data', (d) => setTimeout(() => b.write(d), delay));
  a.on('end', () => setTimeout(() => b.end(), delay));
  a.on('error', () => b.destroy());
};
net.createServer((c) => {
  const u = net.connect(22, host);
  pipe(c, u);
  pipe(u, c);
}).listen(port, host);
`;

export const netem: FaultImpl<'netem'> = async (ctx, opts) => {
  const delay = opts.delayMs ?? 100;
  const loss = opts.lossPercent ?? 0;
  if (!(delay >= 0 && delay <= 10_000) || !(loss >= 0 && loss <= 100)) {
    throw new SimFleetError(`${ctx.h.host.name}: netem: delayMs must be 0-10000 and lossPercent 0-100`);
  }
  const { host } = ctx.h;
  if (await hasNetem(host.netns)) {
    const args = `netem delay ${delay}ms loss ${loss}%`;
    await ctx.sh(`tc qdisc replace dev eth0 root ${args}`);
    await runCmd('tc', ['qdisc', 'replace', 'dev', `${ctx.prefix}-h${host.index}`, 'root', ...args.split(' ')]);
    return;
  }
  // No sch_netem on this kernel: emulate. Loss: nft numgen drops in both directions.
  if (loss > 0) {
    const rule = loss >= 100 ? 'drop' : `numgen random mod 100 < ${Math.round(loss)} drop`;
    await ctx.sh(`nft -f - <<'EOF'
table inet fleet_sim_loss {
  chain in { type filter hook input priority -300; policy accept; ${rule}; }
  chain out { type filter hook output priority -300; policy accept; ${rule}; }
}
EOF`);
  }
  if (delay > 0) {
    const log = path.join(ctx.h.host.dir, 'relay.log');
    const child = spawn(
      'ip',
      ['netns', 'exec', host.netns, process.execPath, '-e', RELAY_JS, String(RELAY_PORT), host.address, String(delay)],
      { detached: true, stdio: ['ignore', 'ignore', 'ignore'] },
    );
    child.unref();
    writeFileSync(log, `relay pid ${child.pid} delay ${delay}ms\n`);
    // Wait until the relay listens, then divert new inbound SSH connections to it.
    for (let i = 0; ; i++) {
      const r = await runCmd('ip', ['netns', 'exec', host.netns, 'sh', '-c', `ss -Hltn 'sport = :${RELAY_PORT}' | grep -q .`]);
      if (r.code === 0) break;
      if (i > 200) throw new SimFleetError(`${host.name}: netem: delay relay did not start`);
      await new Promise((r2) => setTimeout(r2, 25));
    }
    await ctx.sh(`nft -f - <<'EOF'
table ip fleet_sim_latency {
  chain pre { type nat hook prerouting priority dstnat; policy accept; ip daddr ${host.address} tcp dport 22 redirect to :${RELAY_PORT}; }
}
EOF`);
  }
};

export const hang: FaultImpl<'hang'> = async (ctx, opts) => {
  const command = opts.command ?? 'virsh';
  if (!/^[A-Za-z0-9._+-]+$/.test(command)) throw new SimFleetError(`${ctx.h.host.name}: hang: bad command name "${command}"`);
  writeFileSync(path.join(ctx.h.binDir, command), '#!/bin/sh\n# hang fault: this command never returns\nexec sleep 86400\n', {
    mode: 0o755,
  });
};
