import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../status.ts';
import { applyPatch, patchSchemaFor } from './index.ts';

const SMP = 'application/strategic-merge-patch+json';
const serviceSchema = patchSchemaFor('v1', 'Service');

function service() {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'demo', namespace: 'default' }, spec: { ports: [{ name: 'web', port: 80, targetPort: 8080 }, { name: 'dns', port: 53 }] } };
}

function statusOf(run: () => unknown): StatusError {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected a StatusError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a StatusError');
}

describe('applyPatch', () => {
  it('merges ports by key for a strategic merge patch', () => {
    const result = applyPatch(SMP, service(), { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, serviceSchema);
    assert.deepEqual((result as ReturnType<typeof service>).spec.ports, [{ name: 'web', port: 80, targetPort: 9090 }, { name: 'dns', port: 53 }]);
  });

  it('replaces the ports list for a JSON merge patch', () => {
    const result = applyPatch('application/merge-patch+json', service(), { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, serviceSchema);
    assert.deepEqual((result as ReturnType<typeof service>).spec.ports, [{ port: 80, targetPort: 9090 }]);
  });

  it('applies operations for a JSON patch', () => {
    const result = applyPatch('application/json-patch+json', service(), [{ op: 'remove', path: '/spec/ports/1' }], serviceSchema);
    assert.deepEqual((result as ReturnType<typeof service>).spec.ports, [{ name: 'web', port: 80, targetPort: 8080 }]);
  });

  it('ignores media type parameters and case', () => {
    const result = applyPatch('Application/Merge-Patch+JSON; charset=utf-8', { a: 1 }, { b: 2 }, {});
    assert.deepEqual(result, { a: 1, b: 2 });
  });

  it('answers an unknown media type with 415', () => {
    for (const type of ['application/json', 'application/apply-patch+yaml', 'text/plain', '']) {
      const error = statusOf(() => applyPatch(type, service(), {}, serviceSchema));
      assert.equal(error.code, 415);
      assert.equal(error.reason, 'UnsupportedMediaType');
    }
  });

  it('leaves its inputs untouched for every patch type', () => {
    const inputs: Array<[string, unknown]> = [
      [SMP, { metadata: { labels: { a: 'b' } }, spec: { '$setElementOrder/ports': [{ port: 53 }, { port: 80 }], ports: [{ port: 80, name: null }] } }],
      ['application/merge-patch+json', { metadata: { labels: { a: 'b' } }, spec: { ports: null } }],
      ['application/json-patch+json', [{ op: 'move', from: '/spec/ports/0', path: '/spec/ports/1' }, { op: 'add', path: '/metadata/labels', value: { a: 'b' } }]],
    ];
    for (const [type, patch] of inputs) {
      const current = service();
      const patchCopy = structuredClone(patch);
      const result = applyPatch(type, current, patch, serviceSchema) as { metadata: Record<string, unknown> };
      assert.deepEqual(current, service(), type);
      assert.deepEqual(patch, patchCopy, type);
      delete result.metadata.name;
      assert.equal(current.metadata.name, 'demo', type);
    }
  });

  // How kube-apiserver answers malformed strategic merge patches (handlers/patch.go, interpretStrategicMergePatchError).
  const smpFailures: Array<{ name: string; patch: unknown; code: number; message: RegExp }> = [
    { name: 'a body that is not an object', patch: [{ spec: {} }], code: 400, message: /cannot unmarshal array/ },
    { name: 'a list item without the merge key', patch: { spec: { ports: [{ name: 'x' }] } }, code: 400, message: /does not contain declared merge key: port/ },
    { name: 'a delete directive without the merge key', patch: { spec: { ports: [{ $patch: 'delete' }] } }, code: 400, message: /does not contain declared merge key: port/ },
    { name: 'an unknown $patch on a map', patch: { spec: { $patch: 'foo' } }, code: 400, message: /unknown patch type: foo in map/ },
    { name: 'an unknown $patch in a list', patch: { spec: { ports: [{ port: 80, $patch: 'upsert' }] } }, code: 400, message: /unknown patch type: upsert/ },
    { name: 'a patch list out of $setElementOrder', patch: { spec: { '$setElementOrder/ports': [{ port: 80 }, { port: 53 }], ports: [{ port: 53 }, { port: 80 }] } }, code: 400, message: /doesn't match \$setElementOrder list/ },
    { name: '$setElementOrder that is not a list', patch: { spec: { '$setElementOrder/ports': { port: 80 } } }, code: 400, message: /expected a \[\]interface \{\}/ },
    { name: '$setElementOrder without a list name', patch: { spec: { $setElementOrder: [] } }, code: 400, message: /^invalid patch format of setElementOrder list$/ },
    { name: '$deleteFromPrimitiveList without a list name', patch: { spec: { $deleteFromPrimitiveListports: [] } }, code: 400, message: /^invalid patch format of primitive list$/ },
    { name: '$retainKeys that is not a list', patch: { spec: { $retainKeys: 'ports' } }, code: 400, message: /^invalid patch format of retainKeys$/ },
    { name: 'a patched key missing from $retainKeys', patch: { spec: { $retainKeys: ['type'], ports: [{ port: 80 }] } }, code: 400, message: /^invalid patch format of retainKeys$/ },
    { name: 'a merged list mixing objects and scalars', patch: { spec: { ports: [80] } }, code: 400, message: /list element types are not identical/ },
    { name: 'a merged list of lists', patch: { metadata: { finalizers: [['a']] } }, code: 422, message: /rejected our request/ },
  ];
  for (const { name, patch, code, message } of smpFailures) {
    it(`answers ${name} in a strategic merge patch with ${code}`, () => {
      const error = statusOf(() => applyPatch(SMP, service(), patch, serviceSchema));
      assert.equal(error.code, code);
      assert.match(error.message, message);
    });
  }
});
