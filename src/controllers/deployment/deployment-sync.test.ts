import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types.ts';
import { hasOldPodsRunning } from './deployment-sync.ts';
import { replicaSet } from './test-fixtures.ts';

function pod(phase: string): Pod {
  return { metadata: { name: phase, namespace: 'ns' }, spec: { containers: [] }, status: { phase } };
}

describe('hasOldPodsRunning', () => {
  const newRS = replicaSet('new', { replicas: 3 });
  const old = replicaSet('old', { replicas: 0, actual: 0 });
  const cases: { name: string; old: ReturnType<typeof replicaSet>[]; pods: [string, Pod[]][]; want: boolean }[] = [
    { name: 'an old ReplicaSet still reporting replicas', old: [replicaSet('old', { replicas: 0, actual: 1 })], pods: [], want: true },
    { name: 'a pending or running old pod', old: [old], pods: [['uid-old', [pod('Succeeded'), pod('Pending')]]], want: true },
    { name: 'an old pod in Unknown phase', old: [old], pods: [['uid-old', [pod('Unknown')]]], want: true },
    { name: 'only finished old pods', old: [old], pods: [['uid-old', [pod('Failed'), pod('Succeeded')]]], want: false },
    { name: 'pods of the new ReplicaSet only', old: [old], pods: [['uid-new', [pod('Running')]], ['uid-old', []]], want: false },
  ];
  for (const c of cases) it(`is ${c.want} for ${c.name}`, () => assert.equal(hasOldPodsRunning(newRS, c.old, new Map(c.pods)), c.want));
});
