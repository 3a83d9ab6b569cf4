// Objects survive `skiff down` + `skiff up`, and a `kill -9` of the server, on both stores.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SkiffCluster } from '../support/skiff-cli.ts';
import { EtcdTestServer } from '../../src/storage/etcd-test-server.ts';
import { isAlive } from '../../src/cli/cluster.ts';
import { waitFor } from '../../src/lib/wait.ts';

async function survivesRestarts(c: SkiffCluster, store: string): Promise<void> {
  let r = await c.skiff('up', '--port', '0', '--nodes', '0', '--store', store);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  await c.kubectl('create', 'configmap', 'keep-me', '--from-literal=a=1');
  await c.kubectl('create', 'service', 'clusterip', 'keep-svc', '--tcp=80:8080');
  const ip = (await c.kubectl('get', 'svc', 'keep-svc', '-o', 'jsonpath={.spec.clusterIP}')).trim();

  r = await c.skiff('down');
  assert.equal(r.code, 0, r.stderr);
  assert.match((await c.skiff('status')).stdout, /stopped/);
  r = await c.skiff('up');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal((await c.kubectl('get', 'cm', 'keep-me', '-o', 'jsonpath={.data.a}')).trim(), '1');
  assert.equal((await c.kubectl('get', 'svc', 'keep-svc', '-o', 'jsonpath={.spec.clusterIP}')).trim(), ip);

  // a write acknowledged just before kill -9 is still there afterwards
  await c.kubectl('create', 'configmap', 'acked', '--from-literal=b=2');
  const pid = Number(readFileSync(join(c.dataDir, 'server.pid'), 'utf8'));
  process.kill(pid, 'SIGKILL');
  await waitFor('the server to die', () => !isAlive(pid));
  r = await c.skiff('up');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal((await c.kubectl('get', 'cm', 'acked', '-o', 'jsonpath={.data.b}')).trim(), '2');
  // the allocator was repaired from storage: the same IP cannot be handed out again
  const dup = await c.kubectlResult(['create', 'service', 'clusterip', 'dup-ip', '--tcp=80:80', `--clusterip=${ip}`]);
  assert.notEqual(dup.code, 0);
  assert.match(dup.stderr, /provided IP is already allocated/);
}

describe('restarts', () => {
  it('keeps objects across skiff down/up and kill -9 (SQLite)', async () => {
    const c = new SkiffCluster();
    try {
      await survivesRestarts(c, 'sqlite');
    } finally {
      await c.destroy();
    }
  });

  let etcd: EtcdTestServer | undefined;
  after(async () => etcd?.stop());
  it('keeps objects across skiff down/up and kill -9 (etcd)', async () => {
    etcd = await EtcdTestServer.start();
    const c = new SkiffCluster();
    try {
      await survivesRestarts(c, etcd.endpoint.replace('http://', 'etcd://'));
    } finally {
      await c.destroy();
    }
  });
});
