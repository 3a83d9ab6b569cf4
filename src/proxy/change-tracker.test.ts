import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointSliceChangeTracker, ServiceChangeTracker } from './change-tracker.ts';
import { slice, svc } from './test-fixtures.ts';

describe('ServiceChangeTracker', () => {
  it('keeps the state before the first pending change and the latest state, per Service', () => {
    const t = new ServiceChangeTracker();
    const v1 = svc('ns', 'a', { clusterIP: '198.19.208.1' });
    const v2 = svc('ns', 'a', { clusterIP: '198.19.208.1', ports: [{ name: 'http', port: 8080 }] });
    t.update(undefined, v1);
    t.update(v1, v2);
    const c = t.take().get('ns/a')!;
    assert.equal(c.previous, undefined);
    assert.equal(c.current![0].port, 8080);
    assert.equal(t.take().size, 0, 'taken changes are gone');
  });

  it('drops a change that was undone, and changes to fields the proxy ignores', () => {
    const t = new ServiceChangeTracker();
    const v1 = svc('ns', 'a', { clusterIP: '198.19.208.1' });
    t.update(undefined, v1);
    t.take();
    t.update(v1, undefined);
    t.update(undefined, v1);
    const labelled = { ...v1, metadata: { ...v1.metadata, labels: { x: 'y' } } };
    t.update(v1, labelled);
    assert.equal(t.take().size, 0);
    assert.equal(t.size, 1);
  });
});

describe('EndpointSliceChangeTracker', () => {
  it('merges a Service\'s slices and reports the merged endpoints before and after', () => {
    const t = new EndpointSliceChangeTracker();
    const a = slice('ns', 'web', [{ name: 'http', port: 80 }], [{ ip: '198.18.224.1' }], 'web-a');
    const b = slice('ns', 'web', [{ name: 'http', port: 80 }], [{ ip: '198.18.224.2' }], 'web-b');
    t.update(undefined, a);
    t.take();
    t.update(undefined, b);
    const c = t.take().get('ns/web')!;
    assert.deepEqual(c.previous!.get('http/tcp')!.map((e) => e.ip), ['198.18.224.1']);
    assert.deepEqual(c.current!.get('http/tcp')!.map((e) => e.ip), ['198.18.224.1', '198.18.224.2']);
    t.update(a, undefined);
    t.update(b, undefined);
    assert.equal(t.take().get('ns/web')!.current, undefined);
    assert.equal(t.current().size, 0);
  });

  it('collects last-change-trigger-times and ignores slices without a service-name label', () => {
    const t = new EndpointSliceChangeTracker();
    const s = slice('ns', 'web', [{ port: 80 }], [{ ip: '198.18.224.1' }]);
    s.metadata.annotations = { 'endpoints.kubernetes.io/last-change-trigger-time': '2025-01-01T00:00:00Z' };
    t.update(undefined, s);
    const orphan = slice('ns', 'x', [{ port: 80 }], [{ ip: '198.18.224.9' }]);
    delete orphan.metadata.labels;
    t.update(undefined, orphan);
    const changes = t.take();
    assert.deepEqual([...changes.keys()], ['ns/web']);
    assert.deepEqual(changes.get('ns/web')!.triggerTimes, [Date.parse('2025-01-01T00:00:00Z')]);
  });
});
