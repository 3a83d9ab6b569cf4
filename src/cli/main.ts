// The `skiff` command line.
import { intFlag, parseArgs, stringFlag } from '../lib/args.ts';
import { dataPaths, resolveDataDir } from '../cmd/data-dir.ts';
import { runServer } from '../cmd/server.ts';
import { runControllerManager } from '../cmd/controller-manager.ts';
import { runAgent } from '../cmd/agent.ts';
import { proxyRules } from '../cmd/proxy-rules.ts';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { down, readConfig, status, up } from './cluster.ts';
import { OVERLAYS, isOverlay } from '../cmd/network.ts';
import type { Overlay } from '../cmd/network.ts';

const USAGE = `skiff — Kubernetes service networking on one Linux machine or many

Usage:
  skiff up [--data-dir DIR] [--store sqlite|etcd://HOST:PORT] [--port 6443] [--nodes 1]
           [--cluster-name skiff] [--bridge skiff0] [--underlay-cidr 198.18.0.0/24]
           [--cluster-cidr 198.18.128.0/17] [--service-cidr 198.19.0.0/16] [--lb-pool 198.18.1.0/24]
           [--dns-upstream IP[:PORT],…|none]   (default: the host's /etc/resolv.conf)
           [--overlay host-gw|vxlan]           (cross-node pod traffic; default host-gw)
  skiff down [--data-dir DIR] [--purge]
  skiff status [--data-dir DIR]
  skiff kubeconfig [--data-dir DIR]        prints the admin kubeconfig's path
  skiff server [--data-dir DIR] [--no-controllers] [...]   runs the control plane in the foreground
  skiff proxy rules [--node node-1] [--raw]              the service proxy's nftables rules, by Service
  skiff controller-manager --kubeconfig PATH             runs the controllers alone, against any API server
  skiff agent --kubeconfig PATH --node-name N --node-ip IP [--data-dir DIR] [--tls-cert F --tls-key F --client-ca F]
                                                         runs a node agent (inside a node netns, or on a machine of
                                                         its own with --allow-host-netns)
  skiff test                               runs the whole test suite

The data dir defaults to /var/lib/skiff; SKIFF_DATA_DIR overrides it.`;

const BOOLEAN_FLAGS = new Set(['purge', 'help', 'sandbox', 'no-controllers', 'allow-host-netns', 'raw']);

function planFlags(args: ReturnType<typeof parseArgs>): Record<string, string> {
  const out: Record<string, string> = {};
  const map: Record<string, string> = { 'cluster-name': 'clusterName', bridge: 'bridge', 'underlay-cidr': 'underlayCidr', 'cluster-cidr': 'clusterCidr', 'service-cidr': 'serviceCidr', 'lb-pool': 'lbPool' };
  for (const [flag, key] of Object.entries(map)) {
    const v = stringFlag(args, flag);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** `--dns-upstream 1.2.3.4,5.6.7.8:5353`, or `none` to forward nothing; unset: the host's /etc/resolv.conf. */
function dnsUpstreams(flag: string | undefined): string[] | undefined {
  if (flag === undefined) return undefined;
  return flag === 'none' ? [] : flag.split(',').filter(Boolean);
}

function overlayFlag(flag: string | undefined): Overlay | undefined {
  if (flag === undefined) return undefined;
  if (!isOverlay(flag)) throw new Error(`--overlay must be one of ${OVERLAYS.join(', ')}, not ${JSON.stringify(flag)}`);
  return flag;
}

function waitForSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, BOOLEAN_FLAGS);
  const [command] = args.positionals;
  const dataDir = resolveDataDir(stringFlag(args, 'data-dir'));
  const say = (line: string) => console.log(line);
  switch (command) {
    case 'up':
      await up(dataDir, {
        store: stringFlag(args, 'store'),
        port: args.flags.has('port') ? intFlag(args, 'port', 6443) : undefined,
        bindAddress: stringFlag(args, 'bind-address'),
        nodes: args.flags.has('nodes') ? intFlag(args, 'nodes', 1) : undefined,
        dnsUpstream: stringFlag(args, 'dns-upstream'),
        overlay: overlayFlag(stringFlag(args, 'overlay')),
        plan: planFlags(args),
      }, say);
      return 0;
    case 'down':
      await down(dataDir, { isPurge: args.flags.has('purge') }, say);
      return 0;
    case 'status':
      return status(dataDir, say) ? 0 : 3;
    case 'kubeconfig':
      console.log(dataPaths(dataDir).kubeconfig);
      return 0;
    case 'server': {
      const { stop } = await runServer({
        dataDir,
        store: stringFlag(args, 'store') ?? 'sqlite',
        port: intFlag(args, 'port', 6443),
        bindAddress: stringFlag(args, 'bind-address') ?? '127.0.0.1',
        advertiseAddresses: (stringFlag(args, 'advertise-address') ?? '').split(',').filter(Boolean),
        plan: stringFlag(args, 'network-plan') ? JSON.parse(stringFlag(args, 'network-plan')!) : undefined,
        hasSandbox: args.flags.has('sandbox'),
        hasControllers: !args.flags.has('no-controllers'),
        dnsListen: stringFlag(args, 'dns-listen')?.split(',').map((a) => ({ address: a.split(':')[0], port: Number(a.split(':')[1] ?? 53) })),
        dnsUpstreams: dnsUpstreams(stringFlag(args, 'dns-upstream')),
      });
      console.log(`skiff server ${process.pid} ready`);
      await waitForSignal();
      await stop();
      return 0;
    }
    case 'agent': {
      const need = (flag: string) => {
        const v = stringFlag(args, flag);
        if (!v) throw new Error(`skiff agent needs --${flag}`);
        return v;
      };
      const tlsCert = stringFlag(args, 'tls-cert');
      const agent = await runAgent({
        kubeconfig: need('kubeconfig'),
        nodeName: need('node-name'),
        nodeIp: need('node-ip'),
        dataDir,
        clusterName: stringFlag(args, 'cluster-name') ?? 'skiff',
        clusterDns: stringFlag(args, 'cluster-dns'),
        streamingPort: args.flags.has('streaming-port') ? intFlag(args, 'streaming-port', 10250) : undefined,
        tls: tlsCert ? { cert: readFileSync(tlsCert, 'utf8'), key: readFileSync(need('tls-key'), 'utf8'), ca: readFileSync(need('client-ca'), 'utf8') } : undefined,
        isHostNetnsAllowed: args.flags.has('allow-host-netns'),
        overlay: overlayFlag(stringFlag(args, 'overlay')),
        clusterCidr: stringFlag(args, 'cluster-cidr'),
        serviceCidr: stringFlag(args, 'service-cidr'),
        underlayInterface: stringFlag(args, 'underlay-interface') ?? (args.flags.has('allow-host-netns') ? undefined : 'eth0'),
      });
      console.log(`skiff agent ${process.pid} running node ${agent.nodeName} (pod CIDR ${agent.podCidr})`);
      await waitForSignal();
      // `skiff down` leaves a marker: then the agent removes its pods; otherwise they keep running for the next agent
      const isTeardown = existsSync(join(dataDir, 'teardown'));
      await agent.stop({ isTeardown });
      return 0;
    }
    case 'proxy': {
      if (args.positionals[1] !== 'rules') throw new Error('usage: skiff proxy rules [--node node-1] [--raw]');
      const config = readConfig(dataPaths(dataDir));
      if (!config || config.nodes < 1) throw new Error(`no nodes in the cluster of ${dataDir}`);
      console.log(await proxyRules(config.plan, { nodes: config.nodes, only: stringFlag(args, 'node'), isRaw: args.flags.has('raw') }));
      return 0;
    }
    case 'controller-manager': {
      const kubeconfig = stringFlag(args, 'kubeconfig') ?? dataPaths(dataDir).kubeconfig;
      const manager = await runControllerManager({ kubeconfig, clusterCidr: stringFlag(args, 'cluster-cidr'), lbPool: stringFlag(args, 'lb-pool') });
      console.log(`skiff controller-manager ${process.pid} running ${manager.controllers.length} controllers`);
      await waitForSignal();
      manager.stop();
      return 0;
    }
    case undefined:
    case 'help':
      console.log(USAGE);
      return 0;
    default:
      console.error(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`skiff: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
