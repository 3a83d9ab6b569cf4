// Expected results were checked against apimachinery itself (`kubectl patch --local --type strategic`, kubectl 1.32).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { patchSchemaFor } from './patch-schemas.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';

type Obj = Record<string, any>;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function service(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'demo', namespace: 'default', labels: { app: 'demo' }, annotations: { [LAST_APPLIED]: '{"old":true}\n' } },
    spec: { selector: { app: 'demo' }, ports: [{ name: 'web', port: 80, protocol: 'TCP', targetPort: 8080 }], externalIPs: ['192.0.2.1', '192.0.2.2'] },
  };
}

function pod(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web',
      labels: { app: 'web', tier: 'front' },
      finalizers: ['example.com/a', 'example.com/b'],
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u1', controller: true }],
    },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'nginx:1.27',
          args: ['--a', '--b'],
          env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
        { name: 'sidecar', image: 'busybox' },
      ],
      volumes: [{ name: 'data', emptyDir: {} }],
      tolerations: [{ key: 'k1', operator: 'Exists' }],
    },
    status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }] },
  };
}

function deployment(): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1', env: [{ name: 'X', value: '1' }] }] } },
    },
    status: { conditions: [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True' }] },
  };
}

function node(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1' },
    spec: { podCIDRs: ['10.244.0.0/24'], taints: [{ key: 'a', effect: 'NoSchedule' }] },
    status: { addresses: [{ type: 'InternalIP', address: '192.0.2.10' }, { type: 'Hostname', address: 'n1' }], conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function smp(object: Obj, patch: unknown): Obj {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  return applyStrategicMergePatch(object, patch, patchSchemaFor(group ? `${group}/${version}` : version, object.kind)) as Obj;
}

const app = (p: Obj) => p.spec.containers[0];

describe('applyStrategicMergePatch', () => {
  const cases: Array<{ name: string; object: () => Obj; patch: unknown; check: (result: Obj) => void }> = [
    {
      name: 'applies the body kubectl apply sends for a Service: port 80 keeps its other fields, 9100 follows it',
      object: service,
      patch: {
        metadata: { annotations: { [LAST_APPLIED]: '{"new":true}\n' } },
        spec: { '$setElementOrder/ports': [{ port: 80 }, { port: 9100 }], ports: [{ port: 80, targetPort: 9090 }, { name: 'metrics', port: 9100 }] },
      },
      check: (r) => {
        assert.deepEqual(r.spec.ports, [{ name: 'web', port: 80, protocol: 'TCP', targetPort: 9090 }, { name: 'metrics', port: 9100 }]);
        assert.deepEqual(r.metadata.annotations, { [LAST_APPLIED]: '{"new":true}\n' });
      },
    },
    {
      name: 'merges container env by name, patch items after the live ones they follow',
      object: pod,
      patch: { spec: { containers: [{ name: 'app', env: [{ name: 'B', value: '22' }, { name: 'C', value: '3' }] }] } },
      check: (r) => assert.deepEqual(app(r).env, [{ name: 'A', value: '1' }, { name: 'B', value: '22' }, { name: 'C', value: '3' }]),
    },
    {
      name: 'orders env as $setElementOrder/env says',
      object: pod,
      patch: { spec: { '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }], containers: [{ name: 'app', '$setElementOrder/env': [{ name: 'C' }, { name: 'A' }, { name: 'B' }], env: [{ name: 'C', value: '3' }] }] } },
      check: (r) => assert.deepEqual(app(r).env.map((e: Obj) => e.name), ['C', 'A', 'B']),
    },
    {
      name: 'deletes a container with $patch: delete',
      object: pod,
      patch: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } },
      check: (r) => assert.deepEqual(r.spec.containers.map((c: Obj) => c.name), ['app']),
    },
    {
      name: 'deletes an env var with $patch: delete and a field with null inside a merged item',
      object: pod,
      patch: { spec: { containers: [{ name: 'app', env: [{ name: 'A', $patch: 'delete' }, { name: 'B', value: null, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }] } },
      check: (r) => assert.deepEqual(app(r).env, [{ name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]),
    },
    {
      name: 'puts a new container without $setElementOrder ahead of the live ones, as upstream does',
      object: pod,
      patch: { spec: { containers: [{ name: 'debug', image: 'alpine' }] } },
      check: (r) => assert.deepEqual(r.spec.containers.map((c: Obj) => c.name), ['debug', 'app', 'sidecar']),
    },
    {
      name: 'places a new container where $setElementOrder puts it',
      object: pod,
      patch: { spec: { '$setElementOrder/containers': [{ name: 'app' }, { name: 'debug' }, { name: 'sidecar' }], containers: [{ name: 'debug', image: 'alpine' }] } },
      check: (r) => assert.deepEqual(r.spec.containers.map((c: Obj) => c.name), ['app', 'debug', 'sidecar']),
    },
    {
      name: 'merges container ports by containerPort and volumeMounts by mountPath',
      object: pod,
      patch: { spec: { containers: [{ name: 'app', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }], volumeMounts: [{ mountPath: '/data', readOnly: true }] }] } },
      check: (r) => {
        assert.deepEqual(app(r).ports, [{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 443 }]);
        assert.deepEqual(app(r).volumeMounts, [{ name: 'data', mountPath: '/data', readOnly: true }]);
      },
    },
    {
      name: 'replaces lists without a merge strategy (args, tolerations)',
      object: pod,
      patch: { spec: { containers: [{ name: 'app', args: ['--c'] }], tolerations: [{ key: 'k2', operator: 'Exists' }] } },
      check: (r) => {
        assert.deepEqual(app(r).args, ['--c']);
        assert.deepEqual(r.spec.tolerations, [{ key: 'k2', operator: 'Exists' }]);
      },
    },
    {
      name: 'unions metadata.finalizers',
      object: pod,
      patch: { metadata: { finalizers: ['example.com/c', 'example.com/a'] } },
      check: (r) => assert.deepEqual(r.metadata.finalizers, ['example.com/c', 'example.com/a', 'example.com/b']),
    },
    {
      name: 'removes finalizers listed in $deleteFromPrimitiveList and orders the rest by $setElementOrder',
      object: pod,
      patch: { metadata: { '$setElementOrder/finalizers': ['example.com/b', 'example.com/c'], '$deleteFromPrimitiveList/finalizers': ['example.com/a'], finalizers: ['example.com/c'] } },
      check: (r) => assert.deepEqual(r.metadata.finalizers, ['example.com/b', 'example.com/c']),
    },
    {
      name: 'removes scalars from a list without a merge strategy too',
      object: service,
      patch: { spec: { '$deleteFromPrimitiveList/externalIPs': ['192.0.2.2'], '$deleteFromPrimitiveList/loadBalancerSourceRanges': ['x'] } },
      check: (r) => {
        assert.deepEqual(r.spec.externalIPs, ['192.0.2.1']);
        assert.equal('loadBalancerSourceRanges' in r.spec, false);
      },
    },
    {
      name: 'merges ownerReferences by uid and pod conditions by type',
      object: pod,
      patch: { metadata: { ownerReferences: [{ uid: 'u1', blockOwnerDeletion: true }] }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      check: (r) => {
        assert.deepEqual(r.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
        assert.deepEqual(r.status.conditions, [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }]);
      },
    },
    {
      name: 'replaces a merged list with a {"$patch":"replace"} item',
      object: pod,
      patch: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'x' }] } },
      check: (r) => assert.deepEqual(r.spec.containers, [{ name: 'only', image: 'x' }]),
    },
    {
      name: 'replaces a map with $patch: replace',
      object: pod,
      patch: { metadata: { labels: { $patch: 'replace', new: '1' } } },
      check: (r) => assert.deepEqual(r.metadata.labels, { new: '1' }),
    },
    {
      name: 'deletes a map with $patch: delete',
      object: pod,
      patch: { metadata: { labels: { $patch: 'delete' } }, spec: { securityContext: { $patch: 'delete' } } },
      check: (r) => {
        assert.equal('labels' in r.metadata, false);
        assert.equal('securityContext' in r.spec, false);
      },
    },
    {
      name: 'accepts $patch: merge on a map as the default merge',
      object: pod,
      patch: { metadata: { labels: { $patch: 'merge', tier: null, env: 'prod' } } },
      check: (r) => assert.deepEqual(r.metadata.labels, { app: 'web', env: 'prod' }),
    },
    {
      name: 'switches a volume source with $retainKeys',
      object: pod,
      patch: { spec: { volumes: [{ $retainKeys: ['configMap', 'name'], name: 'data', configMap: { name: 'cfg' } }] } },
      check: (r) => assert.deepEqual(r.spec.volumes, [{ name: 'data', configMap: { name: 'cfg' } }]),
    },
    {
      name: 'switches a Deployment to Recreate with $retainKeys, dropping rollingUpdate',
      object: deployment,
      patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      check: (r) => assert.deepEqual(r.spec.strategy, { type: 'Recreate' }),
    },
    {
      name: 'sets a Deployment image by container name inside the pod template',
      object: deployment,
      patch: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:2' }] } } } },
      check: (r) => assert.deepEqual(r.spec.template.spec.containers, [{ name: 'app', image: 'nginx:2', env: [{ name: 'X', value: '1' }] }]),
    },
    {
      name: 'merges Deployment status conditions by type',
      object: deployment,
      patch: { status: { conditions: [{ type: 'Progressing', reason: 'NewReplicaSetAvailable' }] } },
      check: (r) => assert.deepEqual(r.status.conditions, [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }]),
    },
    {
      name: 'merges Node addresses by type, unions podCIDRs and replaces taints',
      object: node,
      patch: { spec: { podCIDRs: ['fd00::/64'], taints: [] }, status: { addresses: [{ type: 'InternalIP', address: '192.0.2.11' }] } },
      check: (r) => {
        assert.deepEqual(r.spec, { podCIDRs: ['fd00::/64', '10.244.0.0/24'], taints: [] });
        assert.deepEqual(r.status.addresses, [{ type: 'InternalIP', address: '192.0.2.11' }, { type: 'Hostname', address: 'n1' }]);
      },
    },
    {
      name: 'deletes keys patched with null and drops nulls inside new values',
      object: pod,
      patch: { metadata: { labels: { tier: null, gone: null } }, spec: { securityContext: { runAsUser: 1000, runAsGroup: null } } },
      check: (r) => {
        assert.deepEqual(r.metadata.labels, { app: 'web' });
        assert.deepEqual(r.spec.securityContext, { runAsUser: 1000 });
      },
    },
    {
      name: 'replaces Endpoints subsets whole',
      object: () => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] }),
      patch: { subsets: [{ addresses: [{ ip: '10.0.0.2' }], ports: [{ port: 80 }] }] },
      check: (r) => assert.deepEqual(r.subsets, [{ addresses: [{ ip: '10.0.0.2' }], ports: [{ port: 80 }] }]),
    },
  ];
  for (const { name, object, patch, check } of cases) {
    it(name, () => {
      const result = smp(deepFreeze(object()), deepFreeze(patch));
      check(result);
      assert.deepEqual(directiveKeys(result), []);
    });
  }

  it('does not mutate its inputs and shares no structure with them', () => {
    const live = deepFreeze(pod());
    const patch = deepFreeze({ spec: { containers: [{ name: 'debug', image: 'alpine', env: [{ name: 'X', value: '1' }] }] } });
    const result = smp(live, patch);
    result.metadata.labels.changed = 'yes';
    result.spec.containers[0].env[0].value = '2';
    result.spec.containers[1].env.push({ name: 'Z' });
    assert.deepEqual(live, pod());
  });

  it('replaces lists whole for kinds it has no schema for', () => {
    const result = applyStrategicMergePatch({ spec: { items: [{ name: 'a' }, { name: 'b' }] } }, { spec: { items: [{ name: 'c' }] } }, patchSchemaFor('example.com/v1', 'Widget'));
    assert.deepEqual(result, { spec: { items: [{ name: 'c' }] } });
  });

  it('treats a null patch as empty and turns a top-level $patch: delete into an empty object', () => {
    assert.deepEqual(smp(service(), null), service());
    assert.deepEqual(smp(service(), { $patch: 'delete' }), {});
  });
});

function directiveKeys(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => directiveKeys(item, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => (k.startsWith('$') ? [`${path}.${k}`] : directiveKeys(v, `${path}.${k}`)));
  return [];
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
