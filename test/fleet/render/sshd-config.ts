/**
 * sshd_config of one simulated host: its own address, host key, pid file and authorized keys, root
 * by key only. Everything else is Debian's default sshd behaviour.
 */
export interface SshdConfigInput {
  address: string;
  hostKeyPath: string;
  pidPath: string;
  authorizedKeysPath: string;
  /** Put first on the session PATH (the `hang` fault drops command wrappers here). */
  binDir: string;
  /** Sessions get LIBVIRT_DEFAULT_URI, so a bare `virsh` talks to the host's test driver. */
  libvirtUri: string;
}

export function renderSshdConfig(i: SshdConfigInput): string {
  return [
    '# sshd for one simulated hypervisor (fleet simulator)',
    `ListenAddress ${i.address}`,
    'Port 22',
    `HostKey ${i.hostKeyPath}`,
    `PidFile ${i.pidPath}`,
    `AuthorizedKeysFile ${i.authorizedKeysPath}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    // The work dir usually sits under /tmp (mode 1777), which StrictModes would reject.
    'StrictModes no',
    'UseDNS no',
    // With sshd -e, the host's log shows one "Accepted publickey" per connection and one "Starting
    // session: command" per exec channel: benchmarks count connections and channels from it.
    'LogLevel VERBOSE',
    'PrintMotd no',
    // Benchmarks open many sessions at once from one address; keep sshd from refusing them.
    'MaxStartups 1000:30:2000',
    'MaxSessions 100',
    `SetEnv PATH=${i.binDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LIBVIRT_DEFAULT_URI=${i.libvirtUri}`,
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    '',
  ].join('\n');
}
