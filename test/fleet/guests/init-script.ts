/**
 * /init of the test guests' initramfs (busybox sh). Loads the virtio-net chain, takes its address
 * and the peers to probe from the kernel command line (fleet.ip=CIDR fleet.host=IP fleet.gw=IP) and
 * reports, once a second on the serial console, whether each peer answers one ping:
 *   fleet-guest: up 198.19.249.10/24
 *   fleet-guest: gw 198.19.249.1 ok        (or: fail)
 * With fleet.bigping=SIZE it also pings the gateway (else the host) with SIZE data bytes, so that an
 * MTU hole on the path shows as `big` failing while the small pings still pass:
 *   fleet-guest: big 198.19.249.1 ok       (or: fail)
 * Tests read those lines from the console file. panic=-1 on the command line makes an /init that
 * dies reboot, and -no-reboot turns that into QEMU exiting: a broken guest never hangs a test.
 */
/** virtio_net is a module in Debian's kernel: its dependencies, in load order. */
export const VIRTIO_NET_CHAIN = [
  'virtio_ring',
  'virtio',
  'virtio_pci_modern_dev',
  'virtio_pci_legacy_dev',
  'virtio_pci',
  'failover',
  'net_failover',
  'virtio_net',
] as const;

export const GUEST_INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in ${VIRTIO_NET_CHAIN.join(' ')}; do insmod /lib/modules/$m.ko || echo "fleet-guest: insmod $m failed"; done
for w in $(cat /proc/cmdline); do
  case "$w" in fleet.ip=*) IP=\${w#fleet.ip=};; fleet.host=*) HOST=\${w#fleet.host=};; fleet.gw=*) GW=\${w#fleet.gw=};; fleet.bigping=*) BIG=\${w#fleet.bigping=};; esac
done
ip link set lo up; ip link set eth0 up; ip addr add "$IP" dev eth0
echo "fleet-guest: up $IP"
BIGTO=\${GW:-$HOST}; [ -n "$BIG" ] || BIGTO=
while :; do
  for t in host:$HOST gw:$GW big:$BIGTO; do
    n=\${t%%:*}; a=\${t#*:}; [ -n "$a" ] || continue
    s=56; [ "$n" = big ] && s=$BIG
    if ping -c1 -W1 -s "$s" "$a" >/dev/null 2>&1; then echo "fleet-guest: $n $a ok"; else echo "fleet-guest: $n $a fail"; fi
  done
  sleep 1
done
`;
