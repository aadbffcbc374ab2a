/**
 * Renders a host's libvirt model as a test-driver `<node>` file (see kvm-network-checks.md §5.1).
 * Deterministic output (fixed UUIDs, fixed order) so snapshots compare byte for byte.
 */
import { intToIp4 } from '../addressing.js';
import type { DomainModel, IfaceModel, LibvirtModel, NetworkModel } from '../model.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function netmask(prefixLength: number): string {
  return intToIp4(prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0);
}

function iface(i: IfaceModel): string[] {
  const source =
    i.type === 'bridge'
      ? `<source bridge="${esc(i.source)}"/>`
      : i.type === 'network'
        ? `<source network="${esc(i.source)}"/>`
        : `<source dev="${esc(i.source)}" mode="bridge"/>`;
  const lines = [`      <interface type="${i.type}">`, `        <mac address="${esc(i.mac)}"/>`, `        ${source}`];
  if (i.target) lines.push(`        <target dev="${esc(i.target)}"/>`);
  lines.push('        <model type="virtio"/>');
  if (i.vlan !== undefined) lines.push(`        <vlan><tag id="${i.vlan}"/></vlan>`);
  if (i.linkDown) lines.push('        <link state="down"/>');
  if (i.filterIp) {
    lines.push(
      '        <filterref filter="clean-traffic">',
      `          <parameter name="IP" value="${esc(i.filterIp)}"/>`,
      '        </filterref>',
    );
  }
  lines.push('      </interface>');
  return lines;
}

function domain(d: DomainModel): string[] {
  return [
    '  <domain type="test">',
    `    <name>${esc(d.name)}</name>`,
    `    <uuid>${d.uuid}</uuid>`,
    '    <memory unit="KiB">1048576</memory>',
    '    <vcpu>1</vcpu>',
    '    <os><type>hvm</type></os>',
    '    <devices>',
    ...d.ifaces.flatMap(iface),
    '    </devices>',
    '  </domain>',
  ];
}

function network(n: NetworkModel): string[] {
  // No <dhcp>/<dns>: the simulator runs no dnsmasq, and a network without them needs none.
  return [
    '  <network>',
    `    <name>${esc(n.name)}</name>`,
    `    <uuid>${n.uuid}</uuid>`,
    `    <forward mode="${n.forward}"/>`,
    `    <bridge name="${esc(n.bridge)}" stp="off" delay="0"/>`,
    '    <dns enable="no"/>',
    `    <ip address="${n.address}" netmask="${netmask(n.prefixLength)}"/>`,
    '  </network>',
  ];
}

export function renderLibvirtXml(model: LibvirtModel, hostName: string): string {
  return [
    `<!-- libvirt test-driver node for ${esc(hostName)} (fleet simulator); virsh -c test:///<this file> -->`,
    '<node xmlns:test="http://libvirt.org/schemas/domain/test/1.0">',
    ...model.domains.flatMap(domain),
    ...model.networks.flatMap(network),
    '</node>',
    '',
  ].join('\n');
}
