/**
 * Ground truth for six causes with real guests under a real libvirtd (QEMU, Debian's kernel, busybox /init): one guest on
 * the VM bridge br1 of each of hv01 and hv02. Each guest pings a gateway station on its VM LAN, its
 * host's own address on br1, and the gateway with a 1500-byte packet (`big`). Three rounds, each
 * with one cause per host, so that one fleet run judges two causes and the guests' waits overlap:
 *   baseline (each guest reaches host, gateway, big) → inject → each guest loses what its cause
 *   takes away and keeps the rest → `fleet run health-check` fails exactly that check on that host,
 *   naming the interface, and nothing else → `--fix` fixes both → the guests reach everything again
 *   → a second run is clean → what fleet's fix deliberately leaves (the FORWARD DROP policy next to
 *   its accept rule…) is put back by hand and the guest seen reaching everything again: that is the
 *   next round's baseline, so the next round starts from the clean host.
 * Addresses: 198.19.249.0/24 (hv01's VM LAN) and 198.19.248.0/24 (hv02's) on the LAN bridges and
 * br1 only (reserved range, inside the fleet's namespaces).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestAssets, missingTools, type GuestAssets } from '../../fleet/guests/assets.js';
import { LibvirtGuest } from '../../fleet/guests/libvirt-guest.js';
import { run } from '../../fleet/run.js';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { names } from '../../fleet/topology.js';
import { healthCheck as runHealthCheck, type RunJson } from '../../helpers/health-check-json.js';

type Peer = 'gw' | 'host' | 'big';
type Reach = readonly [Peer, 'ok' | 'fail'];

/** 1472 data bytes + 28 = a 1500-byte packet: fits every clean MTU on the path, not a 1400 one. */
const BIG = 1472;
const BOOT_MS = 150_000;
const STEP_MS = 25_000;
/** In the order the guest prints them, so one round of probes satisfies them all. */
const ALL_OK: readonly Reach[] = [
  ['host', 'ok'],
  ['gw', 'ok'],
  ['big', 'ok'],
];
// This kernel has br_netfilter built in and every namespace starts with bridge-nf-call-*=1: the
// bridge would then refragment oversized IPv4 (no DF) instead of dropping it, hiding the MTU hole
// that a KVM host without br_netfilter has. The clean hosts here are such hosts.
const NO_BR_NF =
  'sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0';

/** One host with its guest: the VM LAN's /24 (gateway .1, host .2, guest .10). */
interface Bed {
  readonly host: string;
  readonly net: string;
  guest?: LibvirtGuest;
  /** Report lines already seen (see LibvirtGuest.waitFor). */
  seen: number;
}
const BEDS: Bed[] = [
  { host: 'hv01', net: '198.19.249', seen: 0 },
  { host: 'hv02', net: '198.19.248', seen: 0 },
];

let sim: SimFleet;
let tmp: string;

async function setUp(assets: GuestAssets, bed: Bed): Promise<void> {
  const h = sim.host(bed.host);
  const vm = h.vms[0];
  if (!vm) throw new Error(`${bed.host} has no VM`);
  // The gateway station: an address on the host's VM LAN bridge in the fabric namespace.
  const lan = await run(names.fabric(sim.prefix), `ip addr add ${bed.net}.1/24 dev ${names.lanBridge(h)}`);
  expect(lan.code, lan.stderr).toBe(0);
  // The host's own address on its VM bridge (the guest's "host" peer). The host's real libvirtd
  // creates the guest's tap and attaches it to the bridge.
  const setup = await sim.run(bed.host, `${NO_BR_NF} && ip addr add ${bed.net}.2/24 dev ${vm.bridge}`);
  expect(setup.code, setup.stderr).toBe(0);
  bed.guest = await LibvirtGuest.boot(assets, {
    libvirtd: sim.libvirtd(bed.host),
    domain: vm.name,
    tap: vm.tap,
    bridge: vm.bridge,
    mac: vm.mac,
    ip: `${bed.net}.10/24`,
    gateway: `${bed.net}.1`,
    host: `${bed.net}.2`,
    bigPing: BIG,
    dir: sim.dir,
  });
}

beforeAll(async () => {
  const missing = missingTools();
  if (missing.length > 0) throw new Error(`real guests need ${missing.join(', ')} (.ci/install-deps installs them)`);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-guest-'));
  const assets = await guestAssets();
  sim = await SimFleet.up({ prefix: 'gsc', count: 2, vmsPerHost: 1, libvirtd: BEDS.map((b) => b.host) });
  // Two guests boot at once (the most a 2-core CI machine should take).
  await Promise.all(BEDS.map((b) => setUp(assets, b)));
}, BOOT_MS + 120_000);

afterAll(async () => {
  await Promise.all(BEDS.map((b) => b.guest?.stop()));
  await sim?.down();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function guestOf(bed: Bed): LibvirtGuest {
  if (!bed.guest) throw new Error(`${bed.host}: no guest`);
  return bed.guest;
}

/**
 * Waits for each expectation in order, each in a report line later than the previous one's: so a
 * peer that must still answer is seen answering AFTER the broken one failed, not before the change.
 */
async function guestReports(bed: Bed, wanted: readonly Reach[], timeoutMs = STEP_MS): Promise<void> {
  for (const [peer, state] of wanted) bed.seen = await guestOf(bed).waitFor(peer, state, bed.seen, timeoutMs);
}

const healthCheck = (extra: string[] = []) => runHealthCheck(sim, tmp, extra);

/** Failing checks per host, and failing fleet-wide checks under "fleet". */
function failing(doc: RunJson): Record<string, string[]> {
  const bad = (checks: Record<string, { status: string }>) =>
    Object.entries(checks)
      .filter(([, c]) => c.status === 'fail' || c.status === 'error')
      .map(([id]) => id);
  return {
    ...Object.fromEntries(BEDS.map((b) => [b.host, bad(doc.hosts[b.host]?.checks ?? {})])),
    fleet: bad(doc.fleet),
  };
}

const CLEAN = () => ({ ...Object.fromEntries(BEDS.map((b) => [b.host, []])), fleet: [] });

async function onHost(host: string, cmd: string): Promise<void> {
  const r = await sim.run(host, cmd);
  expect(r.code, `${host}: ${cmd}: ${r.stderr}`).toBe(0);
}

interface Cause {
  readonly check: string;
  /** What a real host does to itself (shell, inside the host). */
  readonly inject: (tap: string, hostIp: string) => string;
  /** What the guest then reports: the lost peers first. */
  readonly broken: readonly Reach[];
  /** The interface the finding must name. */
  readonly iface: (tap: string) => string;
  /** Puts back what fleet's fix deliberately leaves (not part of the clean host), by hand. */
  readonly restore?: string;
}

const CAUSES: Record<string, Cause> = {
  'bridge down': {
    check: 'bridge.up',
    inject: () => 'ip link set dev br1 down',
    broken: [
      ['host', 'fail'],
      ['gw', 'fail'],
    ],
    iface: () => 'br1',
  },
  'tap down': {
    check: 'bridge.port-state',
    inject: (tap) => `ip link set dev ${tap} down`,
    broken: [
      ['host', 'fail'],
      ['gw', 'fail'],
    ],
    iface: (tap) => tap,
  },
  // Docker's doing: bridged frames go through iptables, whose FORWARD drops them; the host itself
  // (INPUT) still answers.
  'br_netfilter + FORWARD DROP': {
    check: 'netfilter.br-nf-iptables',
    inject: () => 'sysctl -qw net.bridge.bridge-nf-call-iptables=1 && iptables-nft -P FORWARD DROP',
    broken: [
      ['gw', 'fail'],
      ['host', 'ok'],
    ],
    iface: () => 'br1',
    // fleet's fix is an accept rule for br1 ahead of the policy, which it leaves as it found it.
    restore: `iptables-nft -D FORWARD -i br1 -o br1 -j ACCEPT && iptables-nft -P FORWARD ACCEPT && ${NO_BR_NF}`,
  },
  'nft forward chain drops': {
    check: 'netfilter.nft-forward',
    inject: () => `sysctl -qw net.bridge.bridge-nf-call-iptables=1 && nft -f - <<'EOF'
table inet filter {
  chain input { type filter hook input priority filter; policy accept; }
  chain forward { type filter hook forward priority filter; policy drop; }
  chain output { type filter hook output priority filter; policy accept; }
}
EOF`,
    broken: [
      ['gw', 'fail'],
      ['host', 'ok'],
    ],
    iface: () => 'br1',
    restore: `nft delete table inet filter && ${NO_BR_NF}`,
  },
  // A half-done NIC-to-bridge conversion: the host address stayed on the uplink port. Frames for it
  // arrive on br1, replies leave by eth1 and never reach the guest; bridged traffic is unaffected.
  'host address on the uplink port': {
    check: 'bridge.ip-on-port',
    inject: (_tap, ip) => `ip addr del ${ip}/24 dev br1 && ip addr add ${ip}/24 dev eth1`,
    broken: [
      ['host', 'fail'],
      ['gw', 'ok'],
    ],
    iface: () => 'eth1',
  },
  // The bridge follows its lowest port down to 1400: small pings pass, a 1500-byte reply is dropped.
  'tap MTU below its peers': {
    check: 'bridge.mtu',
    inject: (tap) => `ip link set dev ${tap} mtu 1400`,
    broken: [
      ['big', 'fail'],
      ['host', 'ok'],
      ['gw', 'ok'],
    ],
    iface: (tap) => tap,
  },
};

/** Each round: one cause per bed (hv01, hv02), judged by the same fleet runs. */
const ROUNDS: ReadonlyArray<readonly [string, string]> = [
  ['bridge down', 'tap down'],
  ['br_netfilter + FORWARD DROP', 'nft forward chain drops'],
  ['host address on the uplink port', 'tap MTU below its peers'],
];

function causeOf(name: string): Cause {
  const c = CAUSES[name];
  if (!c) throw new Error(`no cause ${name}`);
  return c;
}

describe('real guests through six causes: diagnosed, fixed, reachable again', () => {
  it(
    'baseline: each guest reaches its host and gateway (also with a 1500-byte ping), and the hosts are clean',
    async () => {
      // The taps exist once QEMU runs: fleet need not wait for the guests' kernels.
      const [{ code, doc }] = await Promise.all([healthCheck(), ...BEDS.map((b) => guestReports(b, ALL_OK, BOOT_MS))]);
      expect(failing(doc)).toEqual(CLEAN());
      expect(code).toBe(0);
    },
    BOOT_MS + 60_000,
  );

  for (const round of ROUNDS) {
    const plan = BEDS.map((bed, i) => ({ bed, name: round[i] ?? '', cause: causeOf(round[i] ?? '') }));
    it(`${plan.map((p) => `${p.bed.host}: ${p.name} → ${p.cause.check}`).join('; ')}`, async () => {
      await Promise.all(
        plan.map(async ({ bed, cause }) => {
          // The baseline is the previous step's "reaches everything" (or the boot's, when this round runs alone).
          if (bed.seen === 0) await guestReports(bed, ALL_OK, BOOT_MS);
          await onHost(bed.host, cause.inject(guestOf(bed).spec.tap, `${bed.net}.2`));
          await guestReports(bed, cause.broken);
        }),
      );

      const found = await healthCheck();
      expect(failing(found.doc)).toEqual({ ...Object.fromEntries(plan.map((p) => [p.bed.host, [p.cause.check]])), fleet: [] });
      expect(found.code).toBe(2);
      for (const { bed, cause } of plan)
        expect(found.doc.hosts[bed.host]?.checks[cause.check]?.message).toContain(cause.iface(guestOf(bed).spec.tap));

      const fixed = await healthCheck(['--fix']);
      for (const { bed, cause } of plan)
        expect(fixed.doc.hosts[bed.host]?.checks[cause.check]).toMatchObject({ status: 'pass', fix_status: 'fixed' });
      expect(failing(fixed.doc)).toEqual(CLEAN());
      const [again] = await Promise.all([healthCheck(), ...plan.map(({ bed }) => guestReports(bed, ALL_OK))]);
      expect(failing(again.doc)).toEqual(CLEAN());
      expect(again.code).toBe(0);
      await Promise.all(
        plan.map(async ({ bed, cause }) => {
          if (!cause.restore) return;
          await onHost(bed.host, cause.restore);
          await guestReports(bed, ALL_OK);
        }),
      );
    }, 180_000);
  }
});
