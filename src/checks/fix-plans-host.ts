/** Runtime fixes for host-wide settings: br_netfilter vs FORWARD and nft forward, forwarding, rp_filter, default route, modules. */
import { shQuote } from '../core/shell.js';
import { cmd, ipOps, FixPlanError, ipCmd, nothing, type Planner } from './fix-shell.js';
import { defaultRoutes, linkMap, resolveUplink, sysctlNum, vmBridges } from './model.js';
import { maybe, need } from './need.js';
import { brNfDrops, nftForwardDrops } from './netfilter-model.js';

/** Planners by fix id. */
export const HOST_PLANNERS: Readonly<Record<string, Planner>> = {
  'br-netfilter': (f, v) => {
    const { drops } = brNfDrops(f, v);
    if (drops.length === 0) return nothing('no iptables FORWARD drops bridged guest traffic');
    if (v.brNetfilterFix === 'sysctl') {
      const links = linkMap(f);
      const perBridge = [...new Set(drops.map((d) => d.bridge))].filter(
        (b) => links.get(b)?.bridge?.nfCallIptables === 1 || links.get(b)?.bridge?.nfCallIp6tables === 1,
      );
      return {
        description: 'stop br_netfilter from passing bridged frames to iptables (host does not filter bridged traffic)',
        commands: [
          cmd(
            'sysctl',
            '-w',
            'net.bridge.bridge-nf-call-iptables=0',
            'net.bridge.bridge-nf-call-ip6tables=0',
            'net.bridge.bridge-nf-call-arptables=0',
          ),
          ...perBridge.map((b) =>
            ipCmd('link', 'set', 'dev', b, 'type', 'bridge', 'nf_call_iptables', '0', 'nf_call_ip6tables', '0', 'nf_call_arptables', '0'),
          ),
        ],
      };
    }
    // Scoped to the VM bridge (-i X -o X), not physdev-is-bridged: that would also open docker0 and
    // defeat Docker's icc=false isolation. Docker evaluates DOCKER-USER first, so the rule goes there.
    const commands: string[] = [];
    const seen = new Set<string>();
    for (const d of drops) {
      const bin = d.backend;
      const dump =
        d.family === 4
          ? bin.endsWith('nft')
            ? f.iptables.v4nft
            : f.iptables.v4legacy
          : bin.endsWith('nft')
            ? f.iptables.v6nft
            : f.iptables.v6legacy;
      const docker = dump.ok && dump.value.tables.some((t) => t.name === 'filter' && t.chains.some((c) => c.name === 'DOCKER-USER'));
      const chain = docker ? 'DOCKER-USER' : 'FORWARD';
      const key = `${bin}|${chain}|${d.bridge}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const rule = ['-i', d.bridge, '-o', d.bridge, '-j', 'ACCEPT'];
      commands.push(`${cmd(bin, '-C', chain, ...rule)} 2>/dev/null || ${cmd(bin, '-I', chain, ...rule)}`);
    }
    return {
      description: 'accept bridged VM traffic ahead of the FORWARD drop (not persistent: add it to the host firewall config)',
      commands,
    };
  },

  'nft-forward-accept': (f, v) => {
    const commands: string[] = [];
    const seen = new Set<string>();
    for (const { chain, flow } of nftForwardDrops(f, v)) {
      // Routed (NAT) flows need their replies accepted too: no automatic fix for those.
      if (!flow.bridged || !flow.iif) continue;
      const { family, table, name } = chain;
      // Words nft reads unquoted, and a name it reads inside "…": anything else is left to a human.
      const odd =
        [family, table, name].find((w) => !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(w)) ?? (/["\\]/.test(flow.iif) ? flow.iif : undefined);
      if (odd !== undefined) throw new FixPlanError(`nft name ${JSON.stringify(odd)} would need nft quoting: add the accept rule by hand`);
      const key = `${family} ${table} ${name} ${flow.iif}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const br = `"${flow.iif}"`;
      // Inserted first in the dropping chain itself: an accept in another table or chain does not end the drop.
      commands.push(
        `${cmd('nft', 'list', 'chain', family, table, name)} | grep -qF ${shQuote(`iifname ${br} oifname ${br} accept`)} || ${cmd('nft', 'insert', 'rule', family, table, name, 'iifname', br, 'oifname', br, 'accept')}`,
      );
    }
    if (commands.length === 0) return nothing('no nft forward chain drops bridged guest traffic');
    return {
      description: 'accept bridged VM traffic at the top of each dropping nft forward chain (not persistent: add it to the ruleset file)',
      commands,
    };
  },

  'ip-forward': (f, v) => {
    need(f.sysctls);
    const routed = (maybe(f.libvirt)?.networks ?? []).filter(
      (n) => n.active && (n.forwardMode === 'nat' || n.forwardMode === 'route' || n.forwardMode === 'open'),
    );
    // Pure L2 bridging never needs forwarding: do not switch a bridged-only host into a router.
    if (v.vmNetworkMode !== 'nat' && routed.length === 0) return nothing('bridged-only host: forwarding not needed');
    const commands: string[] = [];
    if (sysctlNum(f, 'net.ipv4.ip_forward') !== 1) commands.push(cmd('sysctl', '-w', 'net.ipv4.ip_forward=1'));
    const six = routed.some((n) => n.ips.some((i) => i.family === 'ipv6'));
    if (six && sysctlNum(f, 'net.ipv6.conf.all.forwarding') !== 1) commands.push(cmd('sysctl', '-w', 'net.ipv6.conf.all.forwarding=1'));
    if (commands.length === 0) return nothing('forwarding already on');
    return { description: 'enable forwarding (note: writing ip_forward resets per-interface conf/* to router defaults)', commands };
  },

  'rp-filter-loose': (f, v) => {
    need(f.sysctls);
    const links = linkMap(f);
    const uplink = resolveUplink(f, v).name;
    const ifaces = [...new Set([...vmBridges(f, v).map((r) => r.name), ...(uplink ? [uplink] : [])])].filter((n) => links.has(n));
    const commands: string[] = [];
    if (sysctlNum(f, 'net.ipv4.conf.all.rp_filter') === 1) commands.push(cmd('sysctl', '-w', 'net.ipv4.conf.all.rp_filter=2'));
    // Written through /proc so interface names with dots or odd bytes need no sysctl-key escaping.
    for (const i of ifaces)
      if (sysctlNum(f, `net.ipv4.conf.${i}.rp_filter`) === 1)
        commands.push(`echo 2 > ${shQuote(`/proc/sys/net/ipv4/conf/${i}/rp_filter`)}`);
    if (commands.length === 0) return nothing('rp_filter not strict');
    return { description: 'switch reverse-path filtering to loose mode (2)', commands };
  },

  'default-route': (f, v) => {
    const links = linkMap(f);
    const routes = defaultRoutes(f);
    const current = routes[0];
    const dev = v.vmNetworkMode === 'bridge' && links.get(v.bridge)?.kind === 'bridge' ? v.bridge : current?.dev;
    if (current && current.dev === dev && !(current.dev && links.get(current.dev)?.master))
      return nothing(`default route already via ${dev}`);
    const cfg = maybe(f.ifupdown);
    const configured = cfg?.ifaces.find((s) => s.name === dev && s.options['gateway'])?.options['gateway']?.[0];
    const gw = current?.gateway ?? configured;
    if (!gw || !dev) throw new FixPlanError('default gateway unknown (no current route, no ifupdown gateway): set it by hand');
    return {
      description: `route default via ${gw} dev ${dev} (detached: a wrong default route can cut the session)`,
      commands: [ipOps([['route', 'replace', 'default', 'via', gw, 'dev', dev]], [])],
      detached: true,
    };
  },

  'load-modules': (f) => {
    const k = need(f.kernelModules);
    const mods: string[] = [];
    if (k.devices['/dev/net/tun'] !== 'char' && k.modules['tun'] !== 'absent') mods.push('tun');
    if (k.devices['/dev/vhost-net'] !== 'char' && k.modules['vhost_net'] !== 'absent') mods.push('vhost_net');
    if (mods.length === 0)
      return nothing('no loadable module missing (a missing /dev/kvm needs firmware VT-x/AMD-V or kvm_intel/kvm_amd by hand)');
    return { description: `load ${mods.join(', ')} (persist in /etc/modules-load.d/)`, commands: [cmd('modprobe', '-a', ...mods)] };
  },
};
