// The controller manager: every controller of the control plane, sharing one set of informers, talking to the
// API server only through the client (as kube-controller-manager does).
import { KubeClient } from '../client/client.ts';
import { readKubeconfig } from '../lib/kubeconfig.ts';
import { SharedInformers } from '../controllers/runtime/shared-informers.ts';
import type { Controller } from '../controllers/runtime/shared-informers.ts';
import { createEndpointSliceController } from '../controllers/endpointslice/endpointslice-controller.ts';
import { createEndpointSliceMirroringController } from '../controllers/endpointslice/mirroring-controller.ts';
import { createEndpointsController } from '../controllers/endpoints/endpoints-controller.ts';
import { createReplicaSetController } from '../controllers/replicaset/replica-set-controller.ts';
import { createDeploymentController } from '../controllers/deployment/deployment-controller.ts';
import { createSchedulerController } from '../controllers/scheduler/scheduler-controller.ts';
import { createNamespaceController } from '../controllers/namespace/namespace-controller.ts';
import { createGarbageCollectorController } from '../controllers/garbage-collector/garbage-collector.ts';
import { createNodeLifecycleController } from '../controllers/node-lifecycle/node-lifecycle-controller.ts';
import { createNodeIpamController } from '../controllers/node-ipam/node-ipam-controller.ts';
import { createLoadBalancerController } from '../controllers/loadbalancer/loadbalancer-controller.ts';

export interface ControllerManagerOptions {
  clusterCidr?: string;
  lbPool?: string;
  /** Controllers to leave out, by name (e.g. "scheduler"). */
  disabled?: string[];
}

export interface ControllerManager {
  controllers: Controller[];
  stop(): void;
}

/** Starts every controller; resolves once each has synced its caches and runs. */
export async function startControllerManager(client: KubeClient, options: ControllerManagerOptions = {}): Promise<ControllerManager> {
  const informers = new SharedInformers(client);
  const all: Controller[] = [
    createEndpointSliceController(informers),
    createEndpointsController(informers),
    createEndpointSliceMirroringController(informers),
    createReplicaSetController(informers),
    createDeploymentController(informers),
    createSchedulerController(informers),
    createNamespaceController(informers),
    createGarbageCollectorController(informers),
    createNodeLifecycleController(informers),
    createNodeIpamController(informers, { clusterCidr: options.clusterCidr }),
    createLoadBalancerController(informers, { pool: options.lbPool }),
  ];
  const disabled = new Set(options.disabled ?? []);
  const controllers = all.filter((c) => !disabled.has(c.name));
  informers.start();
  await Promise.all(controllers.map((c) => c.start()));
  return {
    controllers,
    stop() {
      for (const c of controllers) c.stop();
      informers.stop();
    },
  };
}

/** `skiff controller-manager`: the controllers in a process of their own, against the API server of a kubeconfig. */
export async function runControllerManager(options: ControllerManagerOptions & { kubeconfig: string }): Promise<ControllerManager> {
  const client = new KubeClient(readKubeconfig(options.kubeconfig));
  client.userAgent = 'skiff-controller-manager';
  const manager = await startControllerManager(client, options);
  return { controllers: manager.controllers, stop: () => (manager.stop(), client.close()) };
}
