import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../status.ts';
import { applyJsonPatch } from './json-patch.ts';

function failure(document: unknown, patch: unknown): StatusError {
  try {
    applyJsonPatch(document, patch);
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected a StatusError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the patch to fail');
}

describe('applyJsonPatch', () => {
  // RFC 6902, Appendix A.
  const rfcExamples: Array<{ name: string; document: unknown; patch: unknown; expected: unknown }> = [
    { name: 'A.1 adding an object member', document: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz', value: 'qux' }], expected: { baz: 'qux', foo: 'bar' } },
    { name: 'A.2 adding an array element', document: { foo: ['bar', 'baz'] }, patch: [{ op: 'add', path: '/foo/1', value: 'qux' }], expected: { foo: ['bar', 'qux', 'baz'] } },
    { name: 'A.3 removing an object member', document: { baz: 'qux', foo: 'bar' }, patch: [{ op: 'remove', path: '/baz' }], expected: { foo: 'bar' } },
    { name: 'A.4 removing an array element', document: { foo: ['bar', 'qux', 'baz'] }, patch: [{ op: 'remove', path: '/foo/1' }], expected: { foo: ['bar', 'baz'] } },
    { name: 'A.5 replacing a value', document: { baz: 'qux', foo: 'bar' }, patch: [{ op: 'replace', path: '/baz', value: 'boo' }], expected: { baz: 'boo', foo: 'bar' } },
    {
      name: 'A.6 moving a value',
      document: { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
      patch: [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
      expected: { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
    },
    { name: 'A.7 moving an array element', document: { foo: ['all', 'grass', 'cows', 'eat'] }, patch: [{ op: 'move', from: '/foo/1', path: '/foo/3' }], expected: { foo: ['all', 'cows', 'eat', 'grass'] } },
    {
      name: 'A.8 testing a value: success',
      document: { baz: 'qux', foo: ['a', 2, 'c'] },
      patch: [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }],
      expected: { baz: 'qux', foo: ['a', 2, 'c'] },
    },
    { name: 'A.10 adding a nested member object', document: { foo: 'bar' }, patch: [{ op: 'add', path: '/child', value: { grandchild: {} } }], expected: { foo: 'bar', child: { grandchild: {} } } },
    { name: 'A.11 ignoring unrecognized elements', document: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }], expected: { foo: 'bar', baz: 'qux' } },
    { name: 'A.14 ~ escape ordering', document: { '/': 9, '~1': 10 }, patch: [{ op: 'test', path: '/~01', value: 10 }], expected: { '/': 9, '~1': 10 } },
    { name: 'A.16 adding an array value', document: { foo: ['bar'] }, patch: [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], expected: { foo: ['bar', ['abc', 'def']] } },
  ];
  for (const { name, document, patch, expected } of rfcExamples) {
    it(`RFC 6902 ${name}`, () => assert.deepEqual(applyJsonPatch(document, patch), expected));
  }

  const rfcFailures: Array<{ name: string; document: unknown; patch: unknown }> = [
    { name: 'A.9 testing a value: error', document: { baz: 'qux' }, patch: [{ op: 'test', path: '/baz', value: 'bar' }] },
    { name: 'A.12 adding to a nonexistent target', document: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz/bat', value: 'qux' }] },
    // JSON.parse keeps the last of the duplicate "op" members, so this is a remove of a missing member.
    { name: 'A.13 invalid JSON patch document', document: { foo: 'bar' }, patch: JSON.parse('[{ "op": "add", "path": "/baz", "value": "qux", "op": "remove" }]') },
    { name: 'A.15 comparing strings and numbers', document: { '/': 9, '~1': 10 }, patch: [{ op: 'test', path: '/~01', value: '10' }] },
  ];
  for (const { name, document, patch } of rfcFailures) {
    it(`RFC 6902 ${name} fails with 422 Invalid`, () => {
      const error = failure(document, patch);
      assert.equal(error.code, 422);
      assert.equal(error.reason, 'Invalid');
      assert.equal(error.message, 'the server rejected our request due to an error in our request');
    });
  }

  it('applies the operations kubectl users write against a Deployment', () => {
    const deployment = { metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'app', image: 'nginx:1', args: ['-v'] }] } } } };
    const patched = applyJsonPatch(deployment, [
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/spec/template/spec/containers/0/args/-', value: '--debug' },
      { op: 'add', path: '/metadata/labels/app.kubernetes.io~1version', value: '2' },
      { op: 'copy', from: '/spec/template/spec/containers/0', path: '/spec/template/spec/containers/1' },
      { op: 'replace', path: '/spec/template/spec/containers/1/name', value: 'copy' },
      { op: 'remove', path: '/metadata/labels/app.kubernetes.io~1name' },
      { op: 'test', path: '/spec/template/spec/containers/0/args', value: ['-v', '--debug'] },
    ]);
    assert.deepEqual(patched, {
      metadata: { name: 'web', labels: { 'app.kubernetes.io/version': '2' } },
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'app', image: 'nginx:1', args: ['-v', '--debug'] }, { name: 'copy', image: 'nginx:1', args: ['-v', '--debug'] }] } } },
    });
  });

  it('treats the empty path as the whole document', () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }]), { b: 2 });
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'test', path: '', value: { a: 1 } }]), { a: 1 });
  });

  it('compares objects in a test regardless of member order', () => {
    assert.deepEqual(applyJsonPatch({ a: { x: 1, y: [1, { z: 2 }] } }, [{ op: 'test', path: '/a', value: { y: [1, { z: 2 }], x: 1 } }]), { a: { x: 1, y: [1, { z: 2 }] } });
  });

  it('answers a body that is not a list of operations with 400 BadRequest', () => {
    for (const patch of [{ op: 'add', path: '/a', value: 1 }, 'add', [1]]) {
      const error = failure({}, patch);
      assert.equal(error.code, 400);
      assert.equal(error.reason, 'BadRequest');
    }
  });

  const applyFailures: Array<{ name: string; patch: unknown }> = [
    { name: 'an unknown op', patch: [{ op: 'merge', path: '/a', value: 1 }] },
    { name: 'a missing op', patch: [{ path: '/a', value: 1 }] },
    { name: 'a missing path', patch: [{ op: 'add', value: 1 }] },
    { name: 'a missing value', patch: [{ op: 'add', path: '/b' }] },
    { name: 'a missing from', patch: [{ op: 'move', path: '/b' }] },
    { name: 'a pointer without a leading slash', patch: [{ op: 'add', path: 'b', value: 1 }] },
    { name: 'a remove of a missing member', patch: [{ op: 'remove', path: '/missing' }] },
    { name: 'a replace of a missing member', patch: [{ op: 'replace', path: '/missing', value: 1 }] },
    { name: 'an index past the end', patch: [{ op: 'add', path: '/list/3', value: 1 }] },
    { name: 'an index with a leading zero', patch: [{ op: 'replace', path: '/list/01', value: 1 }] },
    { name: 'a "-" index outside add', patch: [{ op: 'remove', path: '/list/-' }] },
    { name: 'a move into its own child', patch: [{ op: 'move', from: '/a', path: '/a/b' }] },
    { name: 'a path through a scalar', patch: [{ op: 'add', path: '/a/b', value: 1 }] },
  ];
  for (const { name, patch } of applyFailures) {
    it(`answers ${name} with 422 Invalid and says why in the cause`, () => {
      const error = failure({ a: 1, list: [1, 2] }, patch);
      assert.equal(error.code, 422);
      assert.ok(error.cause instanceof Error && error.cause.message.startsWith('operation 0: '));
    });
  }

  it('applies nothing when a later operation fails', () => {
    const document = { a: 1 };
    failure(document, [{ op: 'replace', path: '/a', value: 2 }, { op: 'test', path: '/a', value: 1 }]);
    assert.deepEqual(document, { a: 1 });
  });

  it('rejects more than 10000 operations with 413', () => {
    const error = failure({}, Array.from({ length: 10001 }, () => ({ op: 'test', path: '', value: {} })));
    assert.equal(error.code, 413);
  });

  it('does not mutate its inputs and shares no structure with them', () => {
    const document = { spec: { ports: [{ port: 80 }] } };
    const value = { port: 81, nested: { x: 1 } };
    const patch = [{ op: 'add', path: '/spec/ports/-', value }, { op: 'remove', path: '/spec/ports/0' }];
    const result = applyJsonPatch(document, patch) as { spec: { ports: Array<{ nested: { x: number } }> } };
    assert.deepEqual(document, { spec: { ports: [{ port: 80 }] } });
    result.spec.ports[0].nested.x = 2;
    assert.deepEqual(value, { port: 81, nested: { x: 1 } });
  });
});
