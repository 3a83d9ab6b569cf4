// Proof that the end-to-end tests send no packet off the machine: while they run, an nftables table on the
// host counts (and drops) packets that would leave through the uplink towards the cluster ranges, and counts
// DNS queries leaving through it. The test run fails if either counter is not zero.
import { execFileSync } from 'node:child_process';

const TABLE = 'skiff_egress_guard';

function nft(args: string[], input?: string): string {
  return execFileSync('nft', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

export function uplinks(): string[] {
  const out = execFileSync('ip', ['-j', 'route', 'show', 'default'], { encoding: 'utf8' });
  return [...new Set((JSON.parse(out) as { dev?: string }[]).map((r) => r.dev).filter((d): d is string => !!d))];
}

export function isGuardPossible(): boolean {
  try {
    return process.getuid?.() === 0 && !!nft(['--version']) && uplinks().length > 0;
  } catch {
    return false;
  }
}

export function installGuard(): string[] {
  removeGuard();
  const devs = uplinks();
  const set = devs.map((d) => JSON.stringify(d)).join(', ');
  nft(['-f', '-'], `table inet ${TABLE} {
  counter cluster_leaks {}
  counter dns_leaks {}
  chain postrouting {
    type filter hook postrouting priority -300; policy accept;
    oifname { ${set} } ip daddr { 198.18.0.0/15 } counter name cluster_leaks drop
    oifname { ${set} } meta l4proto { tcp, udp } th dport 53 counter name dns_leaks
  }
}
`);
  return devs;
}

export function readGuard(): { clusterLeaks: number; dnsLeaks: number } {
  const doc = JSON.parse(nft(['-j', 'list', 'counters', 'table', 'inet', TABLE])) as { nftables: { counter?: { name: string; packets: number } }[] };
  const packets = (name: string) => doc.nftables.find((e) => e.counter?.name === name)?.counter?.packets ?? 0;
  return { clusterLeaks: packets('cluster_leaks'), dnsLeaks: packets('dns_leaks') };
}

export function removeGuard(): void {
  try {
    nft(['delete', 'table', 'inet', TABLE]);
  } catch {
    // not there
  }
}
