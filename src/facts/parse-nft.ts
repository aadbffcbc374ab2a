/**
 * Parser for `nft -j list ruleset`. Rules are reduced to the conditions checks can reason about
 * (interface names, protocols, addresses, ports, ct state) plus a verdict; anything else is counted
 * as `opaque` so a check knows the rule is narrower than it can see and never over-trusts it.
 */
import { isObject, num, obj, objects, parseJson, str, type JsonObject } from './json.js';
import { dropUndefined } from './parse-ip.js';
import type { NftChain, NftCond, NftRule, NftRuleset } from './types.js';

const VERDICTS = new Set(['accept', 'drop', 'reject', 'return', 'continue', 'queue', 'masquerade', 'snat', 'dnat', 'redirect']);
// Statements that neither filter nor decide.
const NEUTRAL = new Set(['counter', 'log', 'comment', 'mangle', 'notrack', 'set', 'ct helper', 'meter']);

function leftKey(left: unknown): string | undefined {
  if (!isObject(left)) return undefined;
  const meta = obj(left, 'meta');
  if (meta) return str(meta, 'key');
  const payload = obj(left, 'payload');
  if (payload) {
    const p = str(payload, 'protocol');
    const f = str(payload, 'field');
    return p && f ? `${p}.${f}` : undefined;
  }
  const ct = obj(left, 'ct');
  if (ct) return str(ct, 'key') ? `ct.${str(ct, 'key')}` : undefined;
  return undefined;
}

function rightValues(right: unknown): string[] | undefined {
  if (typeof right === 'string') return [right];
  if (typeof right === 'number') return [String(right)];
  if (Array.isArray(right)) {
    const all = right.map(rightValues);
    return all.every((v) => v !== undefined) ? (all.flat() as string[]) : undefined;
  }
  if (!isObject(right)) return undefined;
  if (Array.isArray(right['set'])) return rightValues(right['set']);
  const prefix = obj(right, 'prefix');
  if (prefix) return [`${str(prefix, 'addr') ?? '?'}/${num(prefix, 'len') ?? '?'}`];
  const range = right['range'];
  if (Array.isArray(range) && range.length === 2) return [`${String(range[0])}-${String(range[1])}`];
  return undefined;
}

function ruleOf(r: JsonObject): NftRule | undefined {
  const family = str(r, 'family');
  const table = str(r, 'table');
  const chain = str(r, 'chain');
  if (!family || !table || !chain) return undefined;
  const conds: NftCond[] = [];
  const xt: string[] = [];
  let opaque = 0;
  let verdict: string | undefined;
  let target: string | undefined;
  for (const e of Array.isArray(r['expr']) ? r['expr'] : []) {
    if (!isObject(e)) continue;
    const [kind = ''] = Object.keys(e);
    const body = e[kind];
    if (kind === 'match' && isObject(body)) {
      const key = leftKey(body['left']);
      const values = rightValues(body['right']);
      if (key && values) conds.push({ key, op: str(body, 'op') ?? '==', values });
      else opaque++;
    } else if (kind === 'jump' || kind === 'goto') {
      verdict = kind;
      target = str(isObject(body) ? body : undefined, 'target');
    } else if (VERDICTS.has(kind)) {
      verdict = kind;
    } else if (kind === 'xt' && isObject(body)) {
      const name = str(body, 'name') ?? '?';
      xt.push(name);
      if (str(body, 'type') === 'target') {
        if (/^(ACCEPT|DROP|REJECT|RETURN|MASQUERADE)$/.test(name)) verdict = name.toLowerCase();
      } else opaque++;
    } else if (!NEUTRAL.has(kind)) {
      opaque++;
    }
  }
  return dropUndefined({ family, table, chain, conds, opaque, verdict, target, xt: xt.length > 0 ? xt : undefined });
}

export function parseNft(text: string): NftRuleset {
  const root = parseJson(text);
  const items = objects(isObject(root) ? root['nftables'] : root, 'nft -j');
  const tables: Array<{ family: string; name: string }> = [];
  const chains: NftChain[] = [];
  const rules: NftRule[] = [];
  for (const item of items) {
    const t = obj(item, 'table');
    const c = obj(item, 'chain');
    const r = obj(item, 'rule');
    if (t && str(t, 'family') && str(t, 'name')) tables.push({ family: str(t, 'family') ?? '', name: str(t, 'name') ?? '' });
    if (c && str(c, 'family') && str(c, 'table') && str(c, 'name')) {
      const prio = num(c, 'prio') ?? str(c, 'prio');
      chains.push(
        dropUndefined({
          family: str(c, 'family') ?? '',
          table: str(c, 'table') ?? '',
          name: str(c, 'name') ?? '',
          type: str(c, 'type'),
          hook: str(c, 'hook'),
          prio,
          policy: str(c, 'policy'),
        }),
      );
    }
    const rule = r ? ruleOf(r) : undefined;
    if (rule) rules.push(rule);
  }
  return { tables, chains, rules };
}
