// For `skiff down` after a crash (no agent left to tear down): every container process of a cluster is found
// through its cgroups, killed, and the cgroups removed. Network namespaces are the sandbox's to remove.
import { Cgroups, detectCgroup2Mount } from './cgroups.ts';

/** Kills and removes `skiff/<cluster>/…` cgroups; returns the pod uids that had some. */
export async function removeClusterCgroups(clusterName: string, options: { mount?: string } = {}): Promise<string[]> {
  const cgroups = new Cgroups({ mount: options.mount ?? detectCgroup2Mount(), clusterName });
  const uids = cgroups.listPods();
  for (const uid of uids) await cgroups.remove(uid);
  cgroups.removeBaseIfEmpty();
  return uids;
}
