/**
 * Parser for the `virsh` section: a name listing (all domains, autostart domains, networks) and then
 * each domain's live XML and each network's XML + net-info, behind nonce'd block markers.
 * Only what checks need is kept (guest NICs, network bridge/forward/ip), so stored facts stay small.
 */
import { dropUndefined } from './parse-ip.js';
import type { Domain, DomainInterface, LibvirtFacts, LibvirtNetwork, NetworkIp } from './types.js';
import { child, children, parseXml, type XmlElement } from './xml.js';

interface Block {
  readonly kind: string;
  readonly lines: string[];
}

function blocks(text: string, nonce: string): Block[] {
  const out: Block[] = [];
  const marker = new RegExp(`^@@(LIST|DOM|NET|NETINFO)@@ ${nonce.replace(/[^\w-]/g, '')}$`);
  for (const line of text.split('\n')) {
    const m = marker.exec(line);
    if (m) out.push({ kind: m[1] ?? '', lines: [] });
    else out[out.length - 1]?.lines.push(line);
  }
  return out;
}

function nameLists(lines: string[]): { domains: string[]; autostart: Set<string>; networks: string[] } {
  const lists: Record<string, string[]> = { doms: [], auto: [], nets: [] };
  let cur = 'doms';
  for (const l of lines) {
    if (l === '@@AUTOSTART@@') cur = 'auto';
    else if (l === '@@NETS@@') cur = 'nets';
    else if (l.trim() !== '') lists[cur]?.push(l);
  }
  return { domains: lists['doms'] ?? [], autostart: new Set(lists['auto']), networks: lists['nets'] ?? [] };
}

function attr(el: XmlElement | undefined, name: string): string | undefined {
  return el?.attrs[name];
}

function intOf(s: string | undefined): number | undefined {
  return s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined;
}

function guestNic(el: XmlElement): DomainInterface {
  const source = child(el, 'source');
  const filterref = child(el, 'filterref');
  const tags = children(child(el, 'vlan'), 'tag').flatMap((t) => intOf(attr(t, 'id')) ?? []);
  return dropUndefined({
    type: attr(el, 'type') ?? 'unknown',
    mac: attr(child(el, 'mac'), 'address')?.toLowerCase(),
    sourceBridge: attr(source, 'bridge'),
    sourceNetwork: attr(source, 'network'),
    sourceDev: attr(source, 'dev'),
    sourceMode: attr(source, 'mode'),
    targetDev: attr(child(el, 'target'), 'dev'),
    linkState: attr(child(el, 'link'), 'state'),
    model: attr(child(el, 'model'), 'type'),
    mtu: intOf(attr(child(el, 'mtu'), 'size')),
    vlanTags: tags.length > 0 ? tags : undefined,
    virtualport: attr(child(el, 'virtualport'), 'type'),
    filterref: filterref
      ? {
          filter: attr(filterref, 'filter') ?? '',
          parameters: Object.fromEntries(children(filterref, 'parameter').map((p) => [attr(p, 'name') ?? '', attr(p, 'value') ?? ''])),
        }
      : undefined,
  });
}

/** One domain from its live XML; `running` = the root carries an id (libvirt omits it when shut off). */
export function parseDomainXml(xml: string, autostart: boolean): Domain {
  const root = parseXml(xml);
  if (root.name !== 'domain') throw new Error(`expected <domain>, got <${root.name}>`);
  const id = attr(root, 'id');
  return dropUndefined({
    name: child(root, 'name')?.text.trim() ?? '',
    uuid: child(root, 'uuid')?.text.trim(),
    running: id !== undefined && id !== '-1',
    autostart,
    interfaces: children(child(root, 'devices'), 'interface').map(guestNic),
  });
}

function netmaskToPrefix(mask: string): number | undefined {
  const parts = mask.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  const bits = parts.map((p) => p.toString(2).padStart(8, '0')).join('');
  return /^1*0*$/.test(bits) ? (bits.indexOf('0') < 0 ? 32 : bits.indexOf('0')) : undefined;
}

/** One network from net-dumpxml (+ the Active/Autostart/Persistent lines of net-info). */
export function parseNetworkXml(xml: string, info: string[]): LibvirtNetwork {
  const root = parseXml(xml);
  if (root.name !== 'network') throw new Error(`expected <network>, got <${root.name}>`);
  const forward = child(root, 'forward');
  const bridge = child(root, 'bridge');
  const kv = Object.fromEntries(
    info
      .map((l) => /^([A-Za-z ]+):\s*(.*)$/.exec(l.trim()))
      .filter((m) => m !== null)
      .map((m) => [m[1] ?? '', (m[2] ?? '').trim()]),
  );
  const yes = (k: string) => (kv[k] === undefined ? undefined : kv[k] === 'yes');
  const ips = children(root, 'ip').flatMap((ip): NetworkIp[] => {
    const family = attr(ip, 'family') === 'ipv6' ? 'ipv6' : 'ipv4';
    const address = attr(ip, 'address');
    const prefix = intOf(attr(ip, 'prefix')) ?? (attr(ip, 'netmask') ? netmaskToPrefix(attr(ip, 'netmask') ?? '') : undefined);
    if (!address) return [];
    return [{ family, address, prefix: prefix ?? (family === 'ipv4' ? 24 : 64), dhcp: child(ip, 'dhcp') !== undefined }];
  });
  return dropUndefined({
    name: child(root, 'name')?.text.trim() ?? '',
    uuid: child(root, 'uuid')?.text.trim(),
    active: yes('Active'),
    autostart: yes('Autostart'),
    persistent: yes('Persistent'),
    bridge: attr(bridge, 'name'),
    bridgeStp: attr(bridge, 'stp'),
    bridgeDelay: intOf(attr(bridge, 'delay')),
    forwardMode: forward ? (attr(forward, 'mode') ?? 'nat') : undefined,
    forwardDevs: children(forward, 'interface').flatMap((i) => attr(i, 'dev') ?? []),
    ips,
    dnsDisabled: attr(child(root, 'dns'), 'enable') === 'no',
  });
}

function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

/** Parses the whole section. Per-domain/network XML problems are recorded on that object only. */
export function parseVirsh(text: string, nonce: string): LibvirtFacts {
  const bs = blocks(text, nonce);
  const list = bs.find((b) => b.kind === 'LIST');
  if (!list) throw new Error('no domain listing in virsh output');
  const names = nameLists(list.lines);
  const domains: Domain[] = [];
  const networks: LibvirtNetwork[] = [];
  for (let k = 0; k < bs.length; k++) {
    const b = bs[k];
    if (!b || (b.kind !== 'DOM' && b.kind !== 'NET')) continue;
    const [name = '', ...rest] = b.lines;
    const xml = rest.join('\n').trim();
    if (b.kind === 'DOM') {
      const autostart = names.autostart.has(name);
      try {
        if (xml === '') throw new Error('virsh dumpxml printed nothing (domain gone or no permission)');
        domains.push(parseDomainXml(xml, autostart));
      } catch (e) {
        domains.push({ name, running: false, autostart, interfaces: [], error: errorText(e) });
      }
    } else {
      const info = bs[k + 1]?.kind === 'NETINFO' ? (bs[k + 1]?.lines ?? []) : [];
      try {
        if (xml === '') throw new Error('virsh net-dumpxml printed nothing');
        networks.push(parseNetworkXml(xml, info));
      } catch (e) {
        networks.push({ name, forwardDevs: [], ips: [], dnsDisabled: false, error: errorText(e) });
      }
    }
  }
  // Listed but never dumped (the second virsh call died): say so instead of silently dropping them.
  for (const n of names.domains) {
    if (!domains.some((d) => d.name === n))
      domains.push({ name: n, running: false, autostart: names.autostart.has(n), interfaces: [], error: 'no XML in the facts output' });
  }
  for (const n of names.networks) {
    if (!networks.some((d) => d.name === n))
      networks.push({ name: n, forwardDevs: [], ips: [], dnsDisabled: false, error: 'no XML in the facts output' });
  }
  return { domains, networks };
}
