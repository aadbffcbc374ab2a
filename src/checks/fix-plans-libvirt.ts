/** Runtime fixes on the libvirt side: networks guests use, guest taps, guest NIC link state. */
import { cmd, ipCmd, nothing, type Planner } from './fix-shell.js';
import { usedNetworks } from './libvirt-model.js';
import { linkMap, networkByName, nicBridge } from './model.js';
import { need } from './need.js';

/** Planners by fix id. */
export const LIBVIRT_PLANNERS: Readonly<Record<string, Planner>> = {
  'libvirt-net-start': (f, v) => {
    const virsh = (...w: string[]) => cmd('virsh', '-c', v.libvirtUri, ...w);
    const commands: string[] = [];
    for (const name of usedNetworks(f, v.vmNetworkMode === 'nat').keys()) {
      const n = networkByName(f, name);
      if (!n) continue;
      if (n.active === false) commands.push(virsh('net-start', name));
      if (n.autostart === false) commands.push(virsh('net-autostart', name));
    }
    if (commands.length === 0) return nothing('used libvirt networks are active and autostarted');
    return { description: 'start and autostart the libvirt networks guests use', commands };
  },

  'tap-attach': (f, v) => {
    const links = linkMap(f);
    const commands: string[] = [];
    for (const d of need(f.libvirt).domains.filter((x) => x.running)) {
      for (const nic of d.interfaces) {
        const br = nicBridge(f, nic);
        const tap = nic.targetDev ? links.get(nic.targetDev) : undefined;
        if (!br || !tap || tap.master === br || !links.has(br)) continue;
        commands.push(ipCmd('link', 'set', 'dev', tap.ifname, 'master', br), ipCmd('link', 'set', 'dev', tap.ifname, 'up'));
        // Re-enslaving gives the port only the default PVID: re-add its declared VLANs.
        if (links.get(br)?.bridge?.vlanFiltering === 1) {
          const e = v.vlans[tap.ifname];
          const access = e?.pvid ?? (nic.vlanTags?.length === 1 ? nic.vlanTags[0] : undefined);
          if (access !== undefined)
            commands.push(cmd('bridge', 'vlan', 'add', 'dev', tap.ifname, 'vid', String(access), 'pvid', 'untagged'));
          for (const t of e?.tagged ?? (nic.vlanTags && nic.vlanTags.length > 1 ? nic.vlanTags : []))
            commands.push(cmd('bridge', 'vlan', 'add', 'dev', tap.ifname, 'vid', String(t)));
        }
      }
    }
    if (commands.length === 0) return nothing("running guests' taps are attached (or missing: restart virtqemud/libvirtd)");
    return { description: "re-attach running guests' taps to their bridges", commands };
  },

  'libvirt-link-up': (f, v) => {
    const commands: string[] = [];
    for (const d of need(f.libvirt).domains) {
      for (const nic of d.interfaces) {
        if (nic.linkState !== 'down' || !nic.mac) continue;
        const base = ['virsh', '-c', v.libvirtUri, 'domif-setlink', d.name, nic.mac, 'up'];
        if (d.running) commands.push(cmd(...(base as [string, ...string[]])));
        // A transient guest (started by `virsh create`) has no persistent config, and --config fails
        // for it ("transient domains do not have any persistent config"), which failed the whole fix
        // after the live change had worked. Whether it is persistent is asked at fix time, by name.
        const persistent = `${cmd('virsh', '-c', v.libvirtUri, 'list', '--all', '--persistent', '--name')} | ${cmd('grep', '-qxF', '--', d.name)}`;
        commands.push(`if ${persistent}; then ${cmd(...(base as [string, ...string[]]), '--config')}; fi`);
      }
    }
    if (commands.length === 0) return nothing('no guest NIC is link-down');
    return { description: 'set guest NIC links up (live for running guests, and in the persistent config of defined ones)', commands };
  },
};
