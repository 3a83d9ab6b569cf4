import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findLeftovers } from './leftovers.ts';

describe('findLeftovers', () => {
  it('tears down only this node pods that the API no longer has, never another node netns', () => {
    const gone = '11111111-aaaa-bbbb-cccc-000000000001';
    const kept = '11111111-aaaa-bbbb-cccc-000000000002';
    const otherNode = '11111111-aaaa-bbbb-cccc-000000000003';
    const leftovers = findLeftovers({
      podDirs: [`default_web-1_${gone}`, `default_web-2_${kept}`, 'not-a-pod-dir'],
      netns: [`skiff-t-pod-${gone}`, `skiff-t-pod-${kept}`, `skiff-t-pod-${otherNode}`, 'skiff-t-node-1'],
      cgroupUids: [kept],
      netnsPrefix: 'skiff-t-pod-',
      podUids: new Set([kept]),
    });
    assert.deepEqual(leftovers, [{ uid: gone, podDir: `default_web-1_${gone}`, hasNetns: true, hasCgroup: false }]);
  });
});
