import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { patchSchemaFor, type PatchSchema } from './patch-schemas.ts';

function at(schema: PatchSchema, path: string): PatchSchema | undefined {
  let node: PatchSchema | undefined = schema;
  for (const step of path.split('.')) {
    if (node === undefined) return undefined;
    node = step.endsWith('[]') ? node.fields?.[step.slice(0, -2)]?.items : node.fields?.[step];
  }
  return node;
}

describe('patchSchemaFor', () => {
  // Upstream's patchStrategy/patchMergeKey tags (k8s.io/api types.go, metav1.ObjectMeta).
  const expectations: Array<[string, string, string, PatchSchema | undefined]> = [
    ['v1', 'Service', 'spec.ports', { strategy: 'merge', mergeKey: 'port' }],
    ['v1', 'Service', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['v1', 'Service', 'spec.externalIPs', undefined],
    ['v1', 'Service', 'metadata.finalizers', { strategy: 'merge' }],
    ['v1', 'Service', 'metadata.ownerReferences', { strategy: 'merge', mergeKey: 'uid' }],
    ['v1', 'Pod', 'spec.volumes', { strategy: 'merge,retainKeys', mergeKey: 'name' }],
    ['v1', 'Pod', 'spec.imagePullSecrets', { strategy: 'merge', mergeKey: 'name' }],
    ['v1', 'Pod', 'spec.tolerations', undefined],
    ['v1', 'Pod', 'spec.containers[].env', { strategy: 'merge', mergeKey: 'name' }],
    ['v1', 'Pod', 'spec.containers[].ports', { strategy: 'merge', mergeKey: 'containerPort' }],
    ['v1', 'Pod', 'spec.containers[].volumeMounts', { strategy: 'merge', mergeKey: 'mountPath' }],
    ['v1', 'Pod', 'spec.containers[].args', undefined],
    ['v1', 'Pod', 'spec.initContainers[].env', { strategy: 'merge', mergeKey: 'name' }],
    ['v1', 'Pod', 'spec.ephemeralContainers[].volumeDevices', { strategy: 'merge', mergeKey: 'devicePath' }],
    ['v1', 'Pod', 'spec.hostAliases', { strategy: 'merge', mergeKey: 'ip' }],
    ['v1', 'Pod', 'spec.topologySpreadConstraints', { strategy: 'merge', mergeKey: 'topologyKey' }],
    ['v1', 'Pod', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['v1', 'Pod', 'status.podIPs', { strategy: 'merge', mergeKey: 'ip' }],
    ['v1', 'Node', 'spec.podCIDRs', { strategy: 'merge' }],
    ['v1', 'Node', 'spec.taints', undefined],
    ['v1', 'Node', 'status.addresses', { strategy: 'merge', mergeKey: 'type' }],
    ['v1', 'Node', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['v1', 'Namespace', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['v1', 'Namespace', 'spec.finalizers', undefined],
    ['v1', 'Endpoints', 'subsets', undefined],
    ['v1', 'ServiceAccount', 'secrets', { strategy: 'merge', mergeKey: 'name' }],
    ['v1', 'ServiceAccount', 'imagePullSecrets', undefined],
    ['apps/v1', 'Deployment', 'spec.strategy', { strategy: 'retainKeys' }],
    ['apps/v1', 'Deployment', 'spec.template.spec.containers[].env', { strategy: 'merge', mergeKey: 'name' }],
    ['apps/v1', 'Deployment', 'spec.template.metadata.finalizers', { strategy: 'merge' }],
    ['apps/v1', 'Deployment', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['apps/v1', 'ReplicaSet', 'spec.template.spec.volumes', { strategy: 'merge,retainKeys', mergeKey: 'name' }],
    ['apps/v1', 'ReplicaSet', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['discovery.k8s.io/v1', 'EndpointSlice', 'endpoints', undefined],
    ['networking.k8s.io/v1', 'Ingress', 'spec.rules', undefined],
    ['networking.k8s.io/v1', 'NetworkPolicy', 'spec.ingress', undefined],
    ['coordination.k8s.io/v1', 'Lease', 'metadata.finalizers', { strategy: 'merge' }],
    ['autoscaling/v1', 'Scale', 'metadata.ownerReferences', { strategy: 'merge', mergeKey: 'uid' }],
  ];
  for (const [groupVersion, kind, path, expected] of expectations) {
    it(`${groupVersion} ${kind} ${path}: ${expected ? `${expected.strategy}${expected.mergeKey ? ` by ${expected.mergeKey}` : ''}` : 'no strategy'}`, () => {
      const node = at(patchSchemaFor(groupVersion, kind), path);
      assert.deepEqual(node && { strategy: node.strategy, mergeKey: node.mergeKey }, expected && { strategy: expected.strategy, mergeKey: expected.mergeKey });
    });
  }

  it('knows every kind Skiff serves', () => {
    const served = [
      ['v1', ['Namespace', 'Node', 'Pod', 'Service', 'Endpoints', 'Secret', 'ConfigMap', 'Event', 'ServiceAccount']],
      ['apps/v1', ['Deployment', 'ReplicaSet']],
      ['discovery.k8s.io/v1', ['EndpointSlice']],
      ['networking.k8s.io/v1', ['Ingress', 'IngressClass', 'NetworkPolicy']],
      ['coordination.k8s.io/v1', ['Lease']],
      ['autoscaling/v1', ['Scale']],
    ] as const;
    for (const [groupVersion, kinds] of served) {
      for (const kind of kinds) assert.ok(patchSchemaFor(groupVersion, kind).fields?.metadata, `${groupVersion} ${kind}`);
    }
  });

  it('gives unknown kinds an empty schema', () => {
    assert.deepEqual(patchSchemaFor('example.com/v1', 'Widget'), {});
    assert.deepEqual(patchSchemaFor('apps/v1beta1', 'Deployment'), {});
    assert.deepEqual(patchSchemaFor('v1', 'constructor'), {});
  });

  it('hands out frozen schemas', () => {
    assert.ok(Object.isFrozen(patchSchemaFor('v1', 'Pod')));
    assert.ok(Object.isFrozen(at(patchSchemaFor('v1', 'Pod'), 'spec.containers[].env')));
  });
});
