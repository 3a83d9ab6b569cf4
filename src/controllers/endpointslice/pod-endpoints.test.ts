import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types.ts';
import { canonicalIP, findPort, lastChangeTriggerTime, servicesForPodChange } from './pod-endpoints.ts';
import { pod, service } from './test-fixtures.ts';

describe('findPort', () => {
  const p: Pod = { ...pod('a'), spec: { containers: [{ name: 'c', ports: [{ name: 'web', containerPort: 8080 }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }] }], initContainers: [{ name: 'side', restartPolicy: 'Always', ports: [{ name: 'proxy', containerPort: 15001 }] }, { name: 'init', ports: [{ name: 'once', containerPort: 1 }] }] } };
  const cases: [string, object, number | undefined][] = [
    ['a numeric target port as is', { port: 80, targetPort: 9999 }, 9999],
    ['no target port: the service port', { port: 80 }, 80],
    ['a named port of a container', { port: 80, targetPort: 'web' }, 8080],
    ['a named port with its protocol', { port: 53, protocol: 'UDP', targetPort: 'dns' }, 5353],
    ['a named port of another protocol does not resolve', { port: 53, protocol: 'TCP', targetPort: 'dns' }, undefined],
    ['a named port of a sidecar init container', { port: 80, targetPort: 'proxy' }, 15001],
    ['a named port of a plain init container does not resolve', { port: 80, targetPort: 'once' }, undefined],
  ];
  for (const [name, sp, expected] of cases) it(`resolves ${name}`, () => assert.equal(findPort(p, sp as never), expected));
});

describe('servicesForPodChange', () => {
  const services = [service({ name: 'web' }), service({ name: 'canary', spec: { selector: { app: 'web', track: 'canary' } } }), service({ name: 'db', spec: { selector: { app: 'db' } } }), service({ name: 'manual', spec: { selector: undefined } })];
  const base = pod('a');
  const next = (changes: (p: Pod) => void): Pod => {
    const p = structuredClone(base);
    p.metadata.resourceVersion = '2';
    changes(p);
    return p;
  };
  const cases: [string, Pod, Pod | undefined, string[]][] = [
    ['a new pod: the services selecting it', base, undefined, ['default/web']],
    ['an update that changes nothing relevant: none', next((p) => (p.metadata.annotations = { x: 'y' })), base, []],
    ['a readiness change: the services selecting it', next((p) => (p.status!.conditions![0].status = 'False')), base, ['default/web']],
    ['a relabel alone: services it joined or left', next((p) => (p.metadata.labels = { app: 'web', track: 'canary' })), base, ['default/canary']],
    ['a relabel with a readiness change: old and new services', next((p) => { p.metadata.labels = { app: 'db' }; p.status!.conditions![0].status = 'False'; }), base, ['default/db', 'default/web']],
    ['a pod in another namespace: none', { ...base, metadata: { ...base.metadata, namespace: 'other' } }, undefined, []],
  ];
  for (const [name, cur, old, expected] of cases) it(`enqueues ${name}`, () => assert.deepEqual([...servicesForPodChange(services, cur, old)].sort(), expected));
});

it('canonicalizes IPs as upstream parses them sloppily', () => {
  assert.deepEqual([canonicalIP('010.001.2.3'), canonicalIP('FD00::0:1'), canonicalIP('nope'), canonicalIP('256.1.1.1')], ['10.1.2.3', 'fd00::1', undefined, undefined]);
});

it('takes the latest of service creation and pod readiness transitions as the trigger time', () => {
  const p = pod('a');
  p.status!.conditions![0].lastTransitionTime = '2025-06-01T00:00:00Z';
  assert.equal(lastChangeTriggerTime(service(), [p, pod('b')]), '2025-06-01T00:00:00Z');
  assert.equal(lastChangeTriggerTime(service(), []), '2025-01-01T00:00:00Z');
});
