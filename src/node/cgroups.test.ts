import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Cgroups, findCgroup2Mount } from './cgroups.ts';

describe('findCgroup2Mount', () => {
  it('finds the unified hierarchy of a hybrid host', () => {
    const mountinfo = [
      '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
      '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
      '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
    ].join('\n');
    assert.equal(findCgroup2Mount(mountinfo), '/sys/fs/cgroup/unified');
  });
  it('finds a pure v2 host and reports none without cgroup2', () => {
    assert.equal(findCgroup2Mount('30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate'), '/sys/fs/cgroup');
    assert.equal(findCgroup2Mount('35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory'), undefined);
  });
});

describe('Cgroups paths', () => {
  it('names skiff/<cluster>/<pod-uid>/<container>', () => {
    const c = new Cgroups({ mount: '/sys/fs/cgroup', clusterName: 'pod1' });
    assert.equal(c.containerPath('0f3c-11', 'app'), '/sys/fs/cgroup/skiff/pod1/0f3c-11/app');
    assert.throws(() => c.containerPath('../x', 'app'), /bad cgroup name/);
  });
});
