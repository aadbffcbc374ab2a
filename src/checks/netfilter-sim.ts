/**
 * A conservative packet walk through iptables chains and nft base chains for one described flow.
 * Every condition evaluates to yes / no / maybe; only rules that match with certainty (all yes)
 * decide or jump. Rules we cannot fully read are skipped, so the walk reports `drop` only when a
 * certain drop (an unconditional rule or the chain policy) is reached: no false alarms from rules
 * narrower than we can see; the price is that a partial accept never counts as an accept.
 */
import type { IptablesDump, IptRule, NftCond, NftRule, NftRuleset } from '../facts/types.js';
import { cidrContains } from './model.js';

type Tri = 'yes' | 'no' | 'maybe';

/** The traffic we ask about. Unset fields are "any": conditions on them evaluate to maybe. */
export interface Flow {
  readonly iif?: string;
  readonly oif?: string;
  /** Bridge the frame crosses (nft meta ibrname/obrname, iptables physdev). */
  readonly bridge?: string;
  readonly bridged?: boolean;
  readonly proto?: 'tcp' | 'udp';
  readonly dport?: number;
  readonly saddr?: string;
  readonly daddr?: string;
  /** conntrack state; our flows are new connections. */
  readonly ct?: 'new';
}

export interface Verdict {
  readonly verdict: 'accept' | 'drop' | 'none';
  /** What decided, for evidence: "policy DROP of FORWARD" or the rule text. */
  readonly by: string;
}

const and = (a: Tri, b: Tri): Tri => (a === 'no' || b === 'no' ? 'no' : a === 'maybe' || b === 'maybe' ? 'maybe' : 'yes');
const not = (a: Tri): Tri => (a === 'yes' ? 'no' : a === 'no' ? 'yes' : 'maybe');

function nameMatch(pattern: string, name: string | undefined, wildcard: string): Tri {
  if (name === undefined) return 'maybe';
  if (pattern.endsWith(wildcard)) return name.startsWith(pattern.slice(0, -1)) ? 'yes' : 'no';
  return pattern === name ? 'yes' : 'no';
}

function portMatch(spec: string, port: number | undefined): Tri {
  if (port === undefined) return 'maybe';
  const hit = spec.split(',').some((part) => {
    const [lo = '', hi] = part.split(/[:-]/);
    return hi === undefined ? Number(lo) === port : port >= Number(lo || 0) && port <= Number(hi || 65535);
  });
  return hit ? 'yes' : 'no';
}

function addrMatch(cidr: string, ip: string | undefined): Tri {
  if (cidr === '0.0.0.0/0' || cidr === '::/0') return 'yes';
  if (ip === undefined) return 'maybe';
  const r = cidrContains(cidr, ip);
  return r === undefined ? 'maybe' : r ? 'yes' : 'no';
}

function ctMatch(states: string, flow: Flow): Tri {
  if (!flow.ct) return 'maybe';
  return states.toLowerCase().split(',').includes(flow.ct) ? 'yes' : 'no';
}

// Options that only load a match module or annotate: no condition of their own.
const NEUTRAL_IPT = new Set(['-m', '--match']);
const NO_VALUE_IPT = new Set(['--physdev-is-bridged', '--physdev-is-in', '--physdev-is-out']);

/** Evaluates an iptables rule's conditions (everything before -j/-g) against the flow. */
export function iptMatch(rule: IptRule, flow: Flow): Tri {
  const a = rule.args;
  let result: Tri = 'yes';
  let negate = false;
  for (let i = 0; i < a.length; i++) {
    const opt = a[i] ?? '';
    if (opt === '-j' || opt === '--jump' || opt === '-g' || opt === '--goto') break;
    if (opt === '!') {
      negate = true;
      continue;
    }
    let t: Tri = 'maybe';
    const val = a[i + 1];
    if (NEUTRAL_IPT.has(opt)) {
      i++;
      continue;
    } else if (opt === '--comment') {
      i++;
      continue;
    } else if (opt === '-i' || opt === '--in-interface') {
      t = nameMatch(val ?? '', flow.iif, '+');
      i++;
    } else if (opt === '-o' || opt === '--out-interface') {
      t = nameMatch(val ?? '', flow.oif, '+');
      i++;
    } else if (opt === '-p' || opt === '--protocol') {
      t = val === 'all' || val === '0' ? 'yes' : flow.proto === undefined ? 'maybe' : val === flow.proto ? 'yes' : 'no';
      i++;
    } else if (opt === '--dport' || opt === '--destination-port' || opt === '--dports' || opt === '--destination-ports') {
      t = portMatch(val ?? '', flow.dport);
      i++;
    } else if (opt === '-s' || opt === '--source') {
      t = addrMatch(val ?? '', flow.saddr);
      i++;
    } else if (opt === '-d' || opt === '--destination') {
      t = addrMatch(val ?? '', flow.daddr);
      i++;
    } else if (opt === '--ctstate' || opt === '--state') {
      t = ctMatch(val ?? '', flow);
      i++;
    } else if (opt === '--physdev-is-bridged') {
      t = flow.bridged === undefined ? 'maybe' : flow.bridged ? 'yes' : 'no';
    } else if (NO_VALUE_IPT.has(opt)) {
      t = 'maybe';
    } else if (opt.startsWith('-')) {
      // Unknown option: treat as a narrowing condition; its value (if any) is skipped below.
      t = 'maybe';
    } else {
      continue; // value of an unknown option
    }
    result = and(result, negate ? not(t) : t);
    negate = false;
  }
  return result;
}

function iptText(chain: string, r: IptRule): string {
  return `-A ${chain} ${r.args.join(' ')}`;
}

/** Walks `chain` of `table` in one iptables dump (jumps into user chains, RETURN, goto, policy). */
export function walkIptables(dump: IptablesDump, table: string, chain: string, flow: Flow): Verdict {
  const t = dump.tables.find((x) => x.name === table);
  const chains = new Map((t?.chains ?? []).map((c) => [c.name, c]));
  const walk = (name: string, depth: number): Verdict | 'return' => {
    const c = chains.get(name);
    if (!c || depth > 20) return 'return';
    for (const r of c.rules) {
      if (!r.target || iptMatch(r, flow) !== 'yes') continue;
      if (r.target === 'ACCEPT') return { verdict: 'accept', by: iptText(name, r) };
      if (r.target === 'DROP' || r.target === 'REJECT') return { verdict: 'drop', by: iptText(name, r) };
      if (r.target === 'RETURN') return 'return';
      if (chains.has(r.target)) {
        const sub = walk(r.target, depth + 1);
        if (sub !== 'return') return sub;
        if (r.goto) return 'return';
      }
      // LOG, MARK, CT…: non-terminating, keep walking.
    }
    if (c.policy === 'DROP') return { verdict: 'drop', by: `policy DROP of ${name}` };
    if (c.policy === 'ACCEPT') return { verdict: 'accept', by: `policy ACCEPT of ${name}` };
    return 'return';
  };
  const v = walk(chain, 0);
  return v === 'return' ? { verdict: 'none', by: `no ${table}/${chain} chain` } : v;
}

const L4: Readonly<Record<string, string>> = { '6': 'tcp', '17': 'udp' };

function nftCond(c: NftCond, flow: Flow): Tri {
  const neg = c.op === '!=';
  if (c.op !== '==' && c.op !== '!=' && c.op !== 'in') return 'maybe';
  const any = (f: (v: string) => Tri): Tri => {
    const rs = c.values.map(f);
    const r: Tri = rs.includes('yes') ? 'yes' : rs.includes('maybe') ? 'maybe' : 'no';
    return neg ? not(r) : r;
  };
  switch (c.key) {
    case 'iifname':
    case 'iif':
      return any((v) => nameMatch(v, flow.iif, '*'));
    case 'oifname':
    case 'oif':
      return any((v) => nameMatch(v, flow.oif, '*'));
    case 'ibrname':
    case 'obrname':
      return any((v) => nameMatch(v, flow.bridge, '*'));
    case 'l4proto':
    case 'ip.protocol':
    case 'ip6.nexthdr':
      return any((v) => (flow.proto === undefined ? 'maybe' : (L4[v] ?? v) === flow.proto ? 'yes' : 'no'));
    case 'ct.state':
      return any((v) => ctMatch(v, flow));
    case 'ip.saddr':
      return any((v) => addrMatch(v.includes('/') ? v : `${v}/32`, flow.saddr));
    case 'ip.daddr':
      return any((v) => addrMatch(v.includes('/') ? v : `${v}/32`, flow.daddr));
    default: {
      const m = /^(tcp|udp|th)\.dport$/.exec(c.key);
      if (m) {
        // `udp dport 67` also implies the protocol.
        const proto: Tri = m[1] === 'th' || flow.proto === undefined ? 'maybe' : m[1] === flow.proto ? 'yes' : 'no';
        const port = any((v) => portMatch(v, flow.dport));
        return m[1] === 'th' ? port : and(neg ? 'yes' : proto, port);
      }
      return 'maybe';
    }
  }
}

export function nftMatch(r: NftRule, flow: Flow): Tri {
  let t: Tri = r.opaque > 0 ? 'maybe' : 'yes';
  for (const c of r.conds) t = and(t, nftCond(c, flow));
  return t;
}

function nftText(r: NftRule): string {
  const conds = r.conds.map((c) => `${c.key} ${c.op} ${c.values.join(',')}`).join(' ');
  return `${r.family} ${r.table} ${r.chain}: ${conds}${r.opaque ? ` (+${r.opaque} more)` : ''} ${r.verdict ?? ''}${r.target ? ` ${r.target}` : ''}`.trim();
}

/** Walks one nft base chain: accept ends only this base chain; drop/reject is final. */
export function walkNftChain(rs: NftRuleset, family: string, table: string, chain: string, flow: Flow): Verdict {
  const rulesOf = (name: string) => rs.rules.filter((r) => r.family === family && r.table === table && r.chain === name);
  const walk = (name: string, depth: number): Verdict | 'return' => {
    if (depth > 20) return 'return';
    for (const r of rulesOf(name)) {
      if (!r.verdict || nftMatch(r, flow) !== 'yes') continue;
      if (r.verdict === 'accept') return { verdict: 'accept', by: nftText(r) };
      if (r.verdict === 'drop' || r.verdict === 'reject') return { verdict: 'drop', by: nftText(r) };
      if (r.verdict === 'return') return 'return';
      if ((r.verdict === 'jump' || r.verdict === 'goto') && r.target) {
        const sub = walk(r.target, depth + 1);
        if (sub !== 'return') return sub;
        if (r.verdict === 'goto') return 'return';
      }
    }
    return 'return';
  };
  const v = walk(chain, 0);
  if (v !== 'return') return v;
  const base = rs.chains.find((c) => c.family === family && c.table === table && c.name === chain);
  return base?.policy === 'drop'
    ? { verdict: 'drop', by: `policy drop of ${family} ${table} ${chain}` }
    : { verdict: 'accept', by: `policy accept of ${family} ${table} ${chain}` };
}
