// `skiff proxy rules`: the service proxy's nftables table on each node, annotated with the Service each part
// belongs to. Read-only: it lists the table inside the node's netns.
import { describeRules } from '../proxy/describe-rules.ts';
import { Nft } from '../platform/linux/nft.ts';
import type { NetworkPlan } from '../sandbox/network-plan.ts';
import { nodeName, nodeNetns } from '../sandbox/network-plan.ts';

export async function proxyRules(plan: NetworkPlan, options: { nodes: number; only?: string; isRaw?: boolean }): Promise<string> {
  const nft = new Nft();
  const out: string[] = [];
  for (let i = 1; i <= options.nodes; i++) {
    if (options.only && options.only !== nodeName(i)) continue;
    const netns = nodeNetns(plan, i);
    const table = `skiff-${plan.clusterName}-proxy`;
    out.push(`# ${nodeName(i)} (netns ${netns}): table ip ${table}`);
    if (!(await nft.hasTable({ family: 'ip', name: table }, { netns }))) {
      out.push('(no table: the proxy has not synced yet, or the node is down)');
      continue;
    }
    const text = (await nft.listRulesetText({ netns })).trim();
    out.push(options.isRaw ? text : describeRules(text));
  }
  return out.join('\n');
}
