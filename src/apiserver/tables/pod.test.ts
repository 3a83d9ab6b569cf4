import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podPrinter, summarizePod } from './pod.ts';

const now = new Date('2025-06-01T12:00:00Z');
const created = '2025-06-01T11:00:00Z';

type Status = Record<string, unknown>;
function pod(status: Status, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) {
  return {
    metadata: { name: 'p', creationTimestamp: created, ...metadata },
    spec: { containers: [{ name: 'app' }], ...spec },
    status,
  };
}
const running = (extra: Record<string, unknown> = {}) => ({ name: 'app', ready: true, restartCount: 0, state: { running: { startedAt: created } }, ...extra });

test('pod status cases read as kubectl shows them', () => {
  const twoContainers = { containers: [{ name: 'a' }, { name: 'b' }] };
  const cases: { name: string; pod: ReturnType<typeof pod>; want: [string, string, string] }[] = [
    { name: 'pending, unscheduled', pod: pod({ phase: 'Pending' }), want: ['0/1', 'Pending', '0'] },
    {
      name: 'creating containers',
      pod: pod({ phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }),
      want: ['0/1', 'ContainerCreating', '0'],
    },
    { name: 'running and ready', pod: pod({ phase: 'Running', containerStatuses: [running()] }), want: ['1/1', 'Running', '0'] },
    {
      name: 'one of two ready',
      pod: pod({ phase: 'Running', containerStatuses: [running({ name: 'a' }), running({ name: 'b', ready: false })] }, twoContainers),
      want: ['1/2', 'Running', '0'],
    },
    {
      name: 'crash looping, with the last restart time',
      pod: pod({
        phase: 'Running',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 5,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2025-06-01T11:55:00Z' } },
          },
        ],
      }),
      want: ['0/1', 'CrashLoopBackOff', '5 (5m ago)'],
    },
    {
      name: 'completed',
      pod: pod({ phase: 'Succeeded', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }),
      want: ['0/1', 'Completed', '0'],
    },
    {
      name: 'exit code without a reason',
      pod: pod({ phase: 'Failed', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 137 } } }] }),
      want: ['0/1', 'ExitCode:137', '0'],
    },
    {
      name: 'signal without a reason',
      pod: pod({ phase: 'Failed', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, signal: 9 } } }] }),
      want: ['0/1', 'Signal:9', '0'],
    },
    {
      name: 'completed container beside a running one reads Running when the pod is Ready',
      pod: pod(
        {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [running({ name: 'a' }), { name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
        },
        twoContainers,
      ),
      want: ['1/2', 'Running', '0'],
    },
    {
      name: 'completed container beside a running one reads NotReady otherwise',
      pod: pod(
        {
          phase: 'Running',
          containerStatuses: [running({ name: 'a' }), { name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
        },
        twoContainers,
      ),
      want: ['1/2', 'NotReady', '0'],
    },
    {
      name: 'terminating',
      pod: pod({ phase: 'Running', containerStatuses: [running()] }, {}, { deletionTimestamp: '2025-06-01T11:59:00Z' }),
      want: ['1/1', 'Terminating', '0'],
    },
    {
      name: 'a deleted pod that already finished keeps its phase',
      pod: pod({ phase: 'Succeeded' }, {}, { deletionTimestamp: '2025-06-01T11:59:00Z' }),
      want: ['0/1', 'Succeeded', '0'],
    },
    {
      name: 'deleted on a lost node',
      pod: pod({ phase: 'Running', reason: 'NodeLost', containerStatuses: [running()] }, {}, { deletionTimestamp: '2025-06-01T11:59:00Z' }),
      want: ['1/1', 'Unknown', '0'],
    },
    { name: 'evicted', pod: pod({ phase: 'Failed', reason: 'Evicted' }), want: ['0/1', 'Evicted', '0'] },
    {
      name: 'scheduling gated',
      pod: pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }),
      want: ['0/1', 'SchedulingGated', '0'],
    },
  ];
  for (const c of cases) {
    const s = summarizePod(c.pod, now);
    assert.deepEqual([s.ready, s.status, s.restarts], c.want, c.name);
  }
});

test('init containers show Init:n/m, their failures and waiting reasons', () => {
  const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }] };
  const done = { name: 'i1', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } };
  const cases: [Status, string, string][] = [
    [{ phase: 'Pending', initContainerStatuses: [{ name: 'i1', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }] }, 'Init:0/2', '0'],
    [{ phase: 'Pending', initContainerStatuses: [done, { name: 'i2', ready: false, restartCount: 0, state: { running: {} } }] }, 'Init:1/2', '0'],
    [
      {
        phase: 'Pending',
        initContainerStatuses: [{ name: 'i1', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: '2025-06-01T11:50:00Z' } } }],
      },
      'Init:CrashLoopBackOff',
      '3 (10m ago)',
    ],
    [{ phase: 'Pending', initContainerStatuses: [{ name: 'i1', ready: false, restartCount: 0, state: { terminated: { exitCode: 2, reason: 'Error' } } }] }, 'Init:Error', '0'],
    [{ phase: 'Pending', initContainerStatuses: [{ name: 'i1', ready: false, restartCount: 0, state: { terminated: { exitCode: 2 } } }] }, 'Init:ExitCode:2', '0'],
    [{ phase: 'Pending', initContainerStatuses: [{ name: 'i1', ready: false, restartCount: 0, state: { terminated: { exitCode: 2, signal: 15 } } }] }, 'Init:Signal:15', '0'],
  ];
  for (const [status, want, restarts] of cases) {
    const s = summarizePod(pod(status, spec), now);
    assert.equal(s.status, want);
    assert.equal(s.restarts, restarts, want);
    assert.equal(s.ready, '0/1', want);
  }
});

test('sidecar init containers count toward READY and their restarts survive initialization', () => {
  const spec = { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] };
  const s = summarizePod(
    pod(
      {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [
          { name: 'proxy', ready: true, started: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: '2025-06-01T11:57:00Z' } } },
        ],
        containerStatuses: [running()],
      },
      spec,
    ),
    now,
  );
  assert.deepEqual(s, { ready: '2/2', status: 'Running', restarts: '2 (3m ago)' });
});

test('the pod row has every upstream column, wide ones included', () => {
  const p = pod(
    { phase: 'Running', podIP: '10.244.0.8', podIPs: [{ ip: '10.244.0.8' }], conditions: [{ type: 'example.com/gate', status: 'True' }], containerStatuses: [running()] },
    { nodeName: 'node-1', readinessGates: [{ conditionType: 'example.com/gate' }, { conditionType: 'example.com/other' }] },
  );
  assert.deepEqual(podPrinter.cells(p, now), ['p', '1/1', 'Running', '0', '60m', '10.244.0.8', 'node-1', '<none>', '1/2']);
  assert.deepEqual(podPrinter.cells(pod({ phase: 'Pending' }), now).slice(5), ['<none>', '<none>', '<none>', '<none>']);
  assert.deepEqual(
    podPrinter.columns.map((c) => [c.name, c.priority]),
    [['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0], ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1]],
  );
});

test('finished pods carry the Completed row condition', () => {
  assert.deepEqual(podPrinter.conditions?.(pod({ phase: 'Succeeded' })), [
    { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
  ]);
  assert.equal(podPrinter.conditions?.(pod({ phase: 'Failed' }))?.[0].reason, 'Failed');
  assert.equal(podPrinter.conditions?.(pod({ phase: 'Running' })), undefined);
});
