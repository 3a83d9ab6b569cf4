import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { groupVersion, RESOURCES } from '../../api/resources.ts';
import { openapiGroupVersion, openapiRoot } from './index.ts';
import { schemaName } from './paths.ts';

type Json = Record<string, any>;

const GROUP_VERSIONS = ['v1', 'apps/v1', 'discovery.k8s.io/v1', 'networking.k8s.io/v1', 'coordination.k8s.io/v1'];

function doc(gv: string): Json {
  const d = openapiGroupVersion(gv);
  assert.ok(d, `no document for ${gv}`);
  return d as Json;
}

function schema(gv: string, name: string): Json {
  const s = doc(gv).components.schemas[name];
  assert.ok(s, `${gv}: no schema ${name}`);
  return s;
}

/** Follows `allOf: [{$ref}]` and `items` the way kubectl explain and the patch-meta lookup do. */
function resolve(gv: string, s: Json): Json {
  const target = s.items ?? s;
  const ref: string | undefined = target.$ref ?? target.allOf?.[0]?.$ref;
  return ref ? schema(gv, ref.replace('#/components/schemas/', '')) : target;
}

/** A field of `kind` by its dotted path, as in `kubectl explain service.spec.ports`. */
function field(gv: string, kind: string, path: string): Json {
  let s = schema(gv, kind);
  let last = s;
  for (const name of path.split('.')) {
    last = resolve(gv, s).properties?.[name];
    assert.ok(last, `${path}: no field ${name}`);
    s = last;
  }
  return last;
}

function collectRefs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => collectRefs(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref') out.push(v as string);
      else collectRefs(v, out);
    }
  }
  return out;
}

describe('openapiRoot', () => {
  it('lists every served group-version with a URL carrying the hash of its document', () => {
    const paths = openapiRoot().paths as Record<string, { serverRelativeURL: string }>;
    assert.deepEqual(Object.keys(paths).sort(), ['api/v1', 'apis/apps/v1', 'apis/coordination.k8s.io/v1', 'apis/discovery.k8s.io/v1', 'apis/networking.k8s.io/v1']);
    for (const gv of GROUP_VERSIONS) {
      const key = gv === 'v1' ? 'api/v1' : `apis/${gv}`;
      const hash = createHash('sha512').update(JSON.stringify(openapiGroupVersion(gv))).digest('hex').toUpperCase();
      assert.equal(paths[key].serverRelativeURL, `/openapi/v3/${key}?hash=${hash}`);
    }
  });

  it('builds each document once and serves the cached, frozen copy', () => {
    assert.equal(openapiGroupVersion('v1'), openapiGroupVersion('v1'));
    assert.equal(openapiRoot(), openapiRoot());
    assert.ok(Object.isFrozen(doc('v1').components));
  });
});

describe('openapiGroupVersion', () => {
  it('returns undefined for group-versions Skiff does not serve', () => {
    for (const gv of ['batch/v1', 'apps/v1beta1', 'v2', '', 'api/v1']) assert.equal(openapiGroupVersion(gv), undefined, gv);
  });

  it('gives every served kind a schema tagged with its group-version-kind', () => {
    for (const r of RESOURCES) {
      const s = schema(groupVersion(r), schemaName(r));
      assert.deepEqual(s['x-kubernetes-group-version-kind'], [{ group: r.group, kind: r.kind, version: r.version }], r.kind);
      assert.equal(typeof s.description, 'string');
      assert.ok(s.properties.metadata, `${r.kind} has metadata`);
    }
  });

  it('gives every served kind a PATCH operation with its GVK and an operation-level fieldValidation parameter', () => {
    for (const r of RESOURCES) {
      const d = doc(groupVersion(r));
      const patches = Object.values(d.paths as Record<string, Json>)
        .map((p) => p.patch)
        .filter((op) => op && op['x-kubernetes-group-version-kind'].kind === r.kind && op['x-kubernetes-group-version-kind'].group === r.group);
      assert.ok(patches.length > 0, `${r.kind} has a PATCH operation`);
      for (const op of patches) {
        assert.deepEqual(op['x-kubernetes-group-version-kind'], { group: r.group, version: r.version, kind: r.kind });
        assert.ok(op.parameters.some((p: Json) => p.name === 'fieldValidation' && p.in === 'query'), `${r.kind} PATCH takes fieldValidation`);
        assert.ok(op.requestBody.content['application/strategic-merge-patch+json'], `${r.kind} PATCH accepts strategic merge patches`);
      }
    }
  });

  it('serves the paths kubectl explain searches for each resource', () => {
    for (const r of RESOURCES) {
      const root = r.group === '' ? '/api/v1' : `/apis/${r.group}/v1`;
      const collection = `${root}${r.isNamespaced ? '/namespaces/{namespace}' : ''}/${r.plural}`;
      const paths = doc(groupVersion(r)).paths;
      assert.equal(paths[collection]?.get?.['x-kubernetes-group-version-kind']?.kind, r.kind, collection);
      for (const verb of ['get', 'put', 'patch', 'delete']) assert.ok(paths[`${collection}/{name}`]?.[verb], `${verb} ${collection}/{name}`);
    }
  });

  it('resolves every $ref within its own document', () => {
    for (const gv of GROUP_VERSIONS) {
      const d = doc(gv);
      const refs = collectRefs(d);
      assert.ok(refs.length > 0);
      for (const ref of refs) {
        assert.match(ref, /^#\/components\/schemas\//);
        assert.ok(d.components.schemas[ref.slice('#/components/schemas/'.length)], `${gv}: ${ref} does not resolve`);
      }
    }
  });

  it('describes every property of every schema', () => {
    for (const gv of GROUP_VERSIONS) {
      for (const [name, s] of Object.entries(doc(gv).components.schemas as Record<string, Json>)) {
        assert.equal(typeof s.description, 'string', name);
        for (const [prop, p] of Object.entries((s.properties ?? {}) as Record<string, Json>)) {
          assert.ok(typeof p.description === 'string' && p.description.length > 0, `${name}.${prop} has a description`);
        }
      }
    }
  });

  it('tells strategic merge patch to merge Service ports by port', () => {
    const ports = field('v1', 'io.k8s.api.core.v1.Service', 'spec.ports');
    assert.equal(ports['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(ports['x-kubernetes-patch-merge-key'], 'port');
    assert.equal(ports['x-kubernetes-list-type'], 'map');
    assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['port', 'protocol']);
    assert.deepEqual(ports.items, { allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.ServicePort' }], default: {} });
  });

  it('merges containers, env and volumes by name, container ports by containerPort and conditions by type', () => {
    const deployment = 'io.k8s.api.apps.v1.Deployment';
    const cases: Array<[string, string, string, string]> = [
      ['apps/v1', deployment, 'spec.template.spec.containers', 'name'],
      ['apps/v1', deployment, 'spec.template.spec.initContainers', 'name'],
      ['apps/v1', deployment, 'spec.template.spec.volumes', 'name'],
      ['apps/v1', deployment, 'spec.template.spec.containers.env', 'name'],
      ['apps/v1', deployment, 'spec.template.spec.containers.ports', 'containerPort'],
      ['apps/v1', deployment, 'spec.template.spec.containers.volumeMounts', 'mountPath'],
      ['apps/v1', deployment, 'status.conditions', 'type'],
      ['v1', 'io.k8s.api.core.v1.Pod', 'status.conditions', 'type'],
      ['v1', 'io.k8s.api.core.v1.Node', 'status.conditions', 'type'],
      ['v1', 'io.k8s.api.core.v1.Pod', 'metadata.ownerReferences', 'uid'],
    ];
    for (const [gv, kind, path, key] of cases) {
      const f = field(gv, kind, path);
      assert.equal(f['x-kubernetes-patch-merge-key'], key, path);
      assert.match(f['x-kubernetes-patch-strategy'], /^merge/, path);
    }
    assert.equal(field('apps/v1', deployment, 'spec.template.spec.volumes')['x-kubernetes-patch-strategy'], 'merge,retainKeys');
    assert.equal(field('apps/v1', 'io.k8s.api.apps.v1.Deployment', 'spec.strategy')['x-kubernetes-patch-strategy'], 'retainKeys');
  });

  it('publishes int-or-string fields as references to an x-kubernetes-int-or-string schema', () => {
    const targetPort = field('v1', 'io.k8s.api.core.v1.Service', 'spec.ports.targetPort');
    assert.deepEqual(targetPort.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }]);
    assert.equal(resolve('v1', targetPort)['x-kubernetes-int-or-string'], true);
    assert.equal(resolve('apps/v1', field('apps/v1', 'io.k8s.api.apps.v1.Deployment', 'spec.strategy.rollingUpdate.maxSurge'))['x-kubernetes-int-or-string'], true);
  });

  it('marks required fields and enumerates closed sets of values', () => {
    assert.deepEqual(schema('v1', 'io.k8s.api.core.v1.ServicePort').required, ['port']);
    assert.deepEqual(schema('v1', 'io.k8s.api.core.v1.Container').required, ['name']);
    assert.deepEqual(schema('apps/v1', 'io.k8s.api.apps.v1.DeploymentSpec').required, ['selector', 'template']);
    assert.deepEqual(field('v1', 'io.k8s.api.core.v1.Service', 'spec.type').enum, ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']);
    assert.deepEqual(field('networking.k8s.io/v1', 'io.k8s.api.networking.v1.Ingress', 'spec.rules.http.paths.pathType').enum, ['Exact', 'ImplementationSpecific', 'Prefix']);
  });

  it('publishes autoscaling/v1 Scale for the scale subresource in the apps document', () => {
    assert.deepEqual(schema('apps/v1', 'io.k8s.api.autoscaling.v1.Scale')['x-kubernetes-group-version-kind'], [{ group: 'autoscaling', kind: 'Scale', version: 'v1' }]);
    const scale = doc('apps/v1').paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
    assert.deepEqual(scale.patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  });

  it('publishes only the schemas a group-version reaches', () => {
    const names = Object.keys(doc('coordination.k8s.io/v1').components.schemas);
    assert.ok(names.includes('io.k8s.api.coordination.v1.Lease'));
    assert.ok(!names.some((n) => n.startsWith('io.k8s.api.core.v1.')), names.join(', '));
  });
});
