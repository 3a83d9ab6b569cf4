import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerRecord } from './container-record.ts';
import { renderPodStatus } from './pod-status.ts';
import type { PodStatusInput } from './pod-status.ts';
import type { NodePod } from './pod-types.ts';

const T0 = Date.parse('2024-05-01T10:00:00Z');

function pod(restartPolicy = 'Always'): NodePod {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'u1' },
    spec: { containers: [{ name: 'app' }], restartPolicy },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2024-05-01T09:59:59Z' }] },
  };
}

function running(name: string, isReady: boolean, extra: Partial<ContainerRecord> = {}): ContainerRecord {
  return { name, isInit: false, image: 'agnhost', imageID: 'agnhost', restartCount: 0, current: { id: 'c1', startedAtMs: T0, isReady, isStarted: true }, ...extra };
}

function input(over: Partial<PodStatusInput>): PodStatusInput {
  return { pod: pod(), initContainers: [], containers: [], podIPs: ['198.18.128.5'], hostIPs: ['198.18.0.11'], startTimeMs: T0, isSandboxReady: true, nowMs: T0 + 1000, ...over };
}

const condition = (s: ReturnType<typeof renderPodStatus>, type: string) => s.conditions.find((c) => c.type === type);

describe('renderPodStatus', () => {
  it('reports a running, ready pod with IPs, conditions and the container state', () => {
    const s = renderPodStatus(input({ containers: [running('app', true)] }));
    assert.equal(s.phase, 'Running');
    assert.equal(s.podIP, '198.18.128.5');
    assert.deepEqual(s.podIPs, [{ ip: '198.18.128.5' }]);
    assert.equal(s.hostIP, '198.18.0.11');
    assert.equal(s.startTime, '2024-05-01T10:00:00Z');
    for (const t of ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']) assert.equal(condition(s, t)?.status, 'True', t);
    assert.equal(condition(s, 'PodScheduled')?.lastTransitionTime, '2024-05-01T09:59:59Z');
    const [c] = s.containerStatuses as { state: unknown; ready: boolean; started: boolean; containerID: string }[];
    assert.deepEqual(c.state, { running: { startedAt: '2024-05-01T10:00:00Z' } });
    assert.equal(c.ready, true);
    assert.equal(c.started, true);
    assert.equal(c.containerID, 'skiff://c1');
  });

  it('keeps Ready False with the unready containers named while a readiness probe fails', () => {
    const s = renderPodStatus(input({ containers: [running('app', false), running('side', true)] }));
    assert.equal(s.phase, 'Running');
    assert.deepEqual(condition(s, 'Ready'), { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: '2024-05-01T10:00:01Z', reason: 'ContainersNotReady', message: 'containers with unready status: [app]' });
  });

  it('shows a crash-looping container as waiting with its last termination, and the pod Running', () => {
    const rec = running('app', false, {
      restartCount: 2,
      waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=app pod=web_default(u1)' },
    });
    rec.current!.exit = { exitCode: 1, reason: 'Error', startedAtMs: T0, finishedAtMs: T0 + 500, containerID: 'c1' };
    const s = renderPodStatus(input({ containers: [rec] }));
    assert.equal(s.phase, 'Running');
    const [c] = s.containerStatuses as { state: { waiting?: { reason: string } }; lastState: { terminated?: { exitCode: number; reason: string } }; restartCount: number }[];
    assert.equal(c.state.waiting?.reason, 'CrashLoopBackOff');
    assert.equal(c.lastState.terminated?.exitCode, 1);
    assert.equal(c.lastState.terminated?.reason, 'Error');
    assert.equal(c.restartCount, 2);
  });

  it('is Pending with ContainerCreating before the first start, and ErrImagePull when the image is unsupported', () => {
    let s = renderPodStatus(input({ containers: [{ name: 'app', isInit: false, image: 'x', imageID: '', restartCount: 0 }], podIPs: [], isSandboxReady: false }));
    assert.equal(s.phase, 'Pending');
    assert.equal(s.podIP, undefined);
    assert.deepEqual((s.containerStatuses as { state: unknown }[])[0].state, { waiting: { reason: 'ContainerCreating' } });
    s = renderPodStatus(input({ containers: [{ name: 'app', isInit: false, image: 'nginx', imageID: '', restartCount: 0, waiting: { reason: 'ErrImagePull', message: 'no' } }] }));
    assert.deepEqual((s.containerStatuses as { state: unknown }[])[0].state, { waiting: { reason: 'ErrImagePull', message: 'no' } });
    assert.equal(s.phase, 'Pending');
  });

  it('is Pending with Initialized False while init containers run', () => {
    const init: ContainerRecord = { ...running('setup', false), isInit: true };
    const s = renderPodStatus(input({ initContainers: [init], containers: [{ name: 'app', isInit: false, image: 'x', imageID: '', restartCount: 0 }] }));
    assert.equal(s.phase, 'Pending');
    assert.equal(condition(s, 'Initialized')?.reason, 'ContainersNotInitialized');
    assert.equal(condition(s, 'Initialized')?.message, 'containers with incomplete status: [setup]');
    assert.deepEqual((s.containerStatuses as { state: unknown }[])[0].state, { waiting: { reason: 'PodInitializing' } });
  });

  it('reports Succeeded with Ready False reason PodCompleted once every container completed', () => {
    const rec = running('app', false);
    rec.current!.exit = { exitCode: 0, reason: 'Completed', startedAtMs: T0, finishedAtMs: T0 + 1, containerID: 'c1' };
    const s = renderPodStatus(input({ pod: pod('Never'), containers: [rec], terminalPhase: 'Succeeded', isSandboxReady: false }));
    assert.equal(s.phase, 'Succeeded');
    assert.equal(condition(s, 'Ready')?.reason, 'PodCompleted');
    assert.equal(condition(s, 'PodReadyToStartContainers')?.status, 'False');
    assert.deepEqual((s.containerStatuses as { state: { terminated: unknown } }[])[0].state.terminated, { exitCode: 0, reason: 'Completed', startedAt: '2024-05-01T10:00:00Z', finishedAt: '2024-05-01T10:00:00Z', containerID: 'skiff://c1' });
  });

  it('computes Failed for restartPolicy Never with a failed container even before the worker says so', () => {
    const rec = running('app', false);
    rec.current!.exit = { exitCode: 2, reason: 'Error', startedAtMs: T0, finishedAtMs: T0 + 1, containerID: 'c1' };
    assert.equal(renderPodStatus(input({ pod: pod('Never'), containers: [rec] })).phase, 'Failed');
    assert.equal(renderPodStatus(input({ pod: pod('OnFailure'), containers: [rec] })).phase, 'Running');
  });
});
