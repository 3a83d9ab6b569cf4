import { after, before, describe } from 'node:test';
import { runStoreContract } from './store.contract.ts';
import { EtcdStore } from './etcd-store.ts';
import { EtcdTestServer, etcdSkipReason } from './etcd-test-server.ts';

const skipReason = etcdSkipReason();
if (skipReason) {
  describe('Store contract: EtcdStore', { skip: skipReason }, () => {});
} else {
  let etcd: EtcdTestServer | undefined;
  before(async () => {
    etcd = await EtcdTestServer.start();
  });
  after(() => etcd?.stop());

  // One etcd for the suite; each test gets a fresh store under its own key prefix.
  let n = 0;
  runStoreContract('EtcdStore', async () => {
    const store = await EtcdStore.connect(etcd!.endpoint, { prefix: `/skiff-contract/${n++}/` });
    return { store, cleanup: () => store.close() };
  });
}
