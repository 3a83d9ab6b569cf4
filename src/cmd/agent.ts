// `skiff agent`: one node agent, reaching the API server through a kubeconfig (as a separate machine would).
// `skiff up` runs one per node inside that node's netns: nsenter --net=/run/netns/<node-netns> skiff agent …
import { readKubeconfig } from '../lib/kubeconfig.ts';
import { KubeClient } from '../client/client.ts';
import { startAgent } from '../node/agent.ts';
import type { Agent, AgentOptions } from '../node/agent.ts';

export interface AgentConfig extends Omit<AgentOptions, 'client'> {
  /** Path of the kubeconfig the agent authenticates with. */
  kubeconfig: string;
}

/** Builds the client from the kubeconfig and starts the agent; the returned stop also closes the client. */
export async function runAgent(config: AgentConfig): Promise<Agent> {
  const { kubeconfig, ...options } = config;
  const client = new KubeClient(readKubeconfig(kubeconfig));
  client.userAgent = `skiff-agent/${config.nodeName}`;
  try {
    const agent = await startAgent({ ...options, client });
    return {
      ...agent,
      nodeName: agent.nodeName,
      pods: agent.pods,
      streamingPort: agent.streamingPort,
      podCidr: agent.podCidr,
      async stop(stopOptions) {
        await agent.stop(stopOptions);
        client.close();
      },
    };
  } catch (e) {
    client.close();
    throw e;
  }
}
