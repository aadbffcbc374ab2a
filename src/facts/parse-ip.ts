/** Parsers for iproute2 JSON (`ip -j …`, `bridge -j vlan show`). Keys per iproute2's own printers. */
import { num, objects, parseJson, str, strings, type JsonObject } from './json.js';
import type { IfAddr, Neighbour, PortVlans, Route, RoutingRule, VlanEntry } from './types.js';

/** The raw objects of `ip -j -d link show`; merged with sysfs into Link later (see links.ts). */
export function parseIpLinks(text: string): JsonObject[] {
  return objects(parseJson(text), 'ip -j link');
}

export function parseAddrs(text: string): IfAddr[] {
  const out: IfAddr[] = [];
  for (const link of objects(parseJson(text), 'ip -j addr')) {
    const ifname = str(link, 'ifname');
    const infos = link['addr_info'];
    if (!ifname || !Array.isArray(infos)) continue;
    for (const a of infos) {
      if (typeof a !== 'object' || a === null) continue;
      const ai = a as JsonObject;
      const family = str(ai, 'family');
      const local = str(ai, 'local');
      const prefixlen = num(ai, 'prefixlen');
      if ((family !== 'inet' && family !== 'inet6') || !local || prefixlen === undefined) continue;
      out.push({ ifname, family, local, prefixlen, scope: str(ai, 'scope') ?? 'global', dynamic: ai['dynamic'] === true });
    }
  }
  return out;
}

export function parseRoutes(text: string): Route[] {
  return objects(parseJson(text), 'ip -j route').flatMap((r): Route[] => {
    const dst = str(r, 'dst');
    if (!dst) return [];
    // Multipath routes carry dev/gateway per nexthop; the first one is representative for our checks.
    const hop = Array.isArray(r['nexthops'])
      ? ((r['nexthops'] as unknown[]).find((h) => typeof h === 'object' && h !== null) as JsonObject | undefined)
      : undefined;
    return [
      dropUndefined({
        dst,
        gateway: str(r, 'gateway') ?? str(hop, 'gateway'),
        dev: str(r, 'dev') ?? str(hop, 'dev'),
        metric: num(r, 'metric'),
        table: str(r, 'table') ?? (num(r, 'table') !== undefined ? String(num(r, 'table')) : undefined),
        protocol: str(r, 'protocol'),
        type: str(r, 'type'),
        prefsrc: str(r, 'prefsrc'),
      }),
    ];
  });
}

export function parseRules(text: string): RoutingRule[] {
  return objects(parseJson(text), 'ip -j rule').map((r) =>
    dropUndefined({
      priority: num(r, 'priority') ?? -1,
      table: str(r, 'table') ?? (num(r, 'table') !== undefined ? String(num(r, 'table')) : undefined),
      src: str(r, 'src'),
      raw: JSON.stringify(r),
    }),
  );
}

export function parseNeigh(text: string): Neighbour[] {
  return objects(parseJson(text), 'ip -j neigh').flatMap((n): Neighbour[] => {
    const dst = str(n, 'dst');
    const dev = str(n, 'dev');
    if (!dst || !dev) return [];
    return [dropUndefined({ dst, dev, lladdr: str(n, 'lladdr')?.toLowerCase(), state: strings(n, 'state') })];
  });
}

/** `bridge -j vlan show`: current `[{ifname, vlans:[…]}]` and the pre-5.x `{ifname: […]}` shape. */
export function parseBridgeVlans(text: string): PortVlans[] {
  const data = parseJson(text);
  const entries: Array<[string, unknown]> = Array.isArray(data)
    ? objects(data, 'bridge -j vlan').map((p) => [str(p, 'ifname') ?? '', p['vlans']])
    : typeof data === 'object' && data !== null
      ? Object.entries(data as JsonObject)
      : [];
  return entries
    .filter(([ifname]) => ifname !== '')
    .map(([ifname, vlans]) => ({
      ifname,
      vlans: (Array.isArray(vlans) ? vlans : []).flatMap((v): VlanEntry[] => {
        if (typeof v !== 'object' || v === null) return [];
        const vo = v as JsonObject;
        const vlan = num(vo, 'vlan');
        if (vlan === undefined) return [];
        const flags = strings(vo, 'flags');
        return [
          dropUndefined({ vlan, vlanEnd: num(vo, 'vlanEnd'), pvid: flags.includes('PVID'), untagged: flags.includes('Egress Untagged') }),
        ];
      }),
    }));
}

/** Removes undefined-valued keys so facts stay compact JSON (and exactOptional-friendly). */
export function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}
