// `skiff agent`: one node — the node agent (pods) and the service proxy (nftables) — reaching the API server
// through a kubeconfig, as a separate machine would. `skiff up` runs one per node inside that node's netns:
// nsenter --net=/run/netns/<node-netns> skiff agent …
import { readKubeconfig } from '../lib/kubeconfig.ts';
import { KubeClient } from '../client/client.ts';
import { startAgent } from '../node/agent.ts';
import type { Agent, AgentOptions } from '../node/agent.ts';
import { startProxy } from '../proxy/start-proxy.ts';
import type { ProxyHandle } from '../proxy/start-proxy.ts';

export interface AgentConfig extends Omit<AgentOptions, 'client'> {
  /** Path of the kubeconfig the agent authenticates with. */
  kubeconfig: string;
  /** The service proxy's view of the cluster; without both, no proxy runs on this node. */
  clusterCidr?: string;
  serviceCidr?: string;
  /** Where this node announces the LoadBalancer IPs it holds (`eth0` in a sandbox node). */
  underlayInterface?: string;
}

export interface RunningAgent extends Agent {
  readonly proxy?: ProxyHandle;
}

/** Builds the client from the kubeconfig and starts the agent and the proxy; stop also closes the client. */
export async function runAgent(config: AgentConfig): Promise<RunningAgent> {
  const { kubeconfig, clusterCidr, serviceCidr, underlayInterface, ...options } = config;
  const client = new KubeClient(readKubeconfig(kubeconfig));
  client.userAgent = `skiff-agent/${config.nodeName}`;
  let agent: Agent | undefined;
  let proxy: ProxyHandle | undefined;
  try {
    agent = await startAgent({ ...options, client });
    if (clusterCidr && serviceCidr) {
      proxy = await startProxy({
        client,
        nodeName: config.nodeName,
        nodeIPs: [config.nodeIp],
        clusterCidr,
        serviceCidr,
        tableName: `skiff-${config.clusterName}-proxy`,
        underlayInterface,
        metricsListen: { address: config.nodeIp, port: 10249 },
        healthzListen: { address: config.nodeIp, port: 10256 },
        log: options.log ?? ((m) => console.error(`proxy ${config.nodeName}: ${m}`)),
      });
    }
  } catch (e) {
    await agent?.stop();
    client.close();
    throw e;
  }
  const started = agent;
  return {
    nodeName: started.nodeName,
    pods: started.pods,
    streamingPort: started.streamingPort,
    podCidr: started.podCidr,
    proxy,
    async stop(stopOptions) {
      // a plain stop leaves the proxy's rules in place: the dataplane keeps forwarding without an agent
      await proxy?.stop({ isTeardown: stopOptions?.isTeardown });
      await started.stop(stopOptions);
      client.close();
    },
  };
}
