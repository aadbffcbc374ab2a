/**
 * The iptables rules libvirt (iptables backend) installs for an active NAT network, for
 * vmNetworkMode 'nat': LIBVIRT_INP/OUT (DNS/DHCP to the host), LIBVIRT_FWI/FWO/FWX (forwarding),
 * LIBVIRT_PRT (masquerade). Loaded with iptables-restore inside the host namespace.
 */
import { IN_HOST } from '../addressing.js';
import { HOST_LAYOUT } from '../model.js';

export function renderLibvirtNatRules(): string {
  const br = HOST_LAYOUT.natBridge;
  const net = `${IN_HOST.natNetwork}/${IN_HOST.natPrefixLength}`;
  return [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':LIBVIRT_INP - [0:0]',
    ':LIBVIRT_OUT - [0:0]',
    ':LIBVIRT_FWO - [0:0]',
    ':LIBVIRT_FWI - [0:0]',
    ':LIBVIRT_FWX - [0:0]',
    '-A INPUT -j LIBVIRT_INP',
    '-A FORWARD -j LIBVIRT_FWX',
    '-A FORWARD -j LIBVIRT_FWI',
    '-A FORWARD -j LIBVIRT_FWO',
    '-A OUTPUT -j LIBVIRT_OUT',
    `-A LIBVIRT_INP -i ${br} -p udp -m udp --dport 53 -j ACCEPT`,
    `-A LIBVIRT_INP -i ${br} -p tcp -m tcp --dport 53 -j ACCEPT`,
    `-A LIBVIRT_INP -i ${br} -p udp -m udp --dport 67 -j ACCEPT`,
    `-A LIBVIRT_INP -i ${br} -p tcp -m tcp --dport 67 -j ACCEPT`,
    `-A LIBVIRT_OUT -o ${br} -p udp -m udp --dport 53 -j ACCEPT`,
    `-A LIBVIRT_OUT -o ${br} -p tcp -m tcp --dport 53 -j ACCEPT`,
    `-A LIBVIRT_OUT -o ${br} -p udp -m udp --dport 68 -j ACCEPT`,
    `-A LIBVIRT_OUT -o ${br} -p tcp -m tcp --dport 68 -j ACCEPT`,
    `-A LIBVIRT_FWO -s ${net} -i ${br} -j ACCEPT`,
    `-A LIBVIRT_FWO -i ${br} -j REJECT --reject-with icmp-port-unreachable`,
    `-A LIBVIRT_FWI -d ${net} -o ${br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    `-A LIBVIRT_FWI -o ${br} -j REJECT --reject-with icmp-port-unreachable`,
    `-A LIBVIRT_FWX -i ${br} -o ${br} -j ACCEPT`,
    'COMMIT',
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':LIBVIRT_PRT - [0:0]',
    '-A POSTROUTING -j LIBVIRT_PRT',
    `-A LIBVIRT_PRT -s ${net} -d 224.0.0.0/24 -j RETURN`,
    `-A LIBVIRT_PRT -s ${net} -d 255.255.255.255/32 -j RETURN`,
    `-A LIBVIRT_PRT -s ${net} ! -d ${net} -p tcp -j MASQUERADE --to-ports 1024-65535`,
    `-A LIBVIRT_PRT -s ${net} ! -d ${net} -p udp -j MASQUERADE --to-ports 1024-65535`,
    `-A LIBVIRT_PRT -s ${net} ! -d ${net} -j MASQUERADE`,
    'COMMIT',
    '',
  ].join('\n');
}
