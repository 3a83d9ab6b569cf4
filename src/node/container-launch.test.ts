import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveImage } from './images/image-catalog.ts';
import { buildContainerLaunch } from './container-launch.ts';
import type { EnvContext } from './env.ts';
import type { NodePod, PodContainer } from './pod-types.ts';

function launch(container: PodContainer, extra: Partial<EnvContext> = {}) {
  const pod: NodePod = { metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { containers: [container] } };
  const envContext: EnvContext = { pod, nodeName: 'node-1', podIPs: ['198.18.128.9'], hostIPs: ['198.18.0.11'], services: [], configMap: () => undefined, secret: () => undefined, ...extra };
  return buildContainerLaunch(container, { envContext, resolveImage });
}

describe('buildContainerLaunch', () => {
  it('runs a built-in image entrypoint with the args, expanding $(VAR) from the environment', () => {
    const l = launch({ name: 'web', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', args: ['netexec', '--http-port=$(PORT)'], env: [{ name: 'PORT', value: '8080' }] });
    assert.equal(l.kind, 'ready');
    if (l.kind !== 'ready') return;
    assert.deepEqual(l.argv, ['/agnhost', 'netexec', '--http-port=8080']);
    assert.equal(l.isBuiltin, true);
    assert.equal(l.workingDir, '/');
    assert.equal(new Map(l.env).get('PORT'), '8080');
  });

  it('runs a host command for any image that gives one, in its working directory', () => {
    const l = launch({ name: 'sh', image: 'busybox', command: ['sh', '-c', 'echo $(POD_IP)'], workingDir: '/tmp', env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] });
    assert.equal(l.kind, 'ready');
    if (l.kind !== 'ready') return;
    assert.deepEqual(l.argv, ['sh', '-c', 'echo 198.18.128.9']);
    assert.equal(l.workingDir, '/tmp');
  });

  it('blocks an image that is neither built in nor given a command with ErrImagePull', () => {
    const l = launch({ name: 'web', image: 'nginx:1.27' });
    assert.equal(l.kind, 'blocked');
    if (l.kind !== 'blocked') return;
    assert.equal(l.reason, 'ErrImagePull');
    assert.match(l.message, /nginx:1\.27/);
  });

  it('blocks a container whose env references a missing configMap with CreateContainerConfigError', () => {
    const l = launch({ name: 'web', image: 'busybox', command: ['true'], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'x' } } }] });
    assert.deepEqual(l, { kind: 'blocked', reason: 'CreateContainerConfigError', message: 'configmap "cfg" not found' });
  });
});
