import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PAUSE_IMAGE_SUBCOMMAND } from './agnhost/main.ts';
import { AGNHOST_MAIN, builtinPaths, findBuiltinImage, imageRepository, type ResolvedImage, resolveImage, toHostArgv } from './image-catalog.ts';

function argvOf(r: ResolvedImage): string[] {
  assert.notEqual(r.kind, 'unsupported');
  return r.kind === 'unsupported' ? [] : r.argv;
}

describe('resolveImage', () => {
  const agnhostRefs = [
    'registry.k8s.io/e2e-test-images/agnhost:2.53',
    'registry.k8s.io/e2e-test-images/agnhost:2.39@sha256:7e8bdd271312fd25fc5ff5a8f04727be84044eb3d7d8d03611972a6752e2e11e',
    'registry.k8s.io/e2e-test-images/agnhost',
    'k8s.gcr.io/e2e-test-images/agnhost:2.32',
    'gcr.io/kubernetes-e2e-test-images/agnhost:2.8',
  ];
  for (const image of agnhostRefs) {
    it(`runs the agnhost entrypoint and default CMD for ${image}`, () => {
      assert.deepEqual(resolveImage(image), { kind: 'builtin', name: 'agnhost', argv: ['/agnhost', 'pause'] });
    });
  }

  it('appends args to the image entrypoint, replacing its CMD', () => {
    assert.deepEqual(resolveImage('registry.k8s.io/e2e-test-images/agnhost:2.53', undefined, ['netexec', '--http-port=8080']), {
      kind: 'builtin', name: 'agnhost', argv: ['/agnhost', 'netexec', '--http-port=8080'],
    });
  });

  it('replaces entrypoint and CMD with command', () => {
    assert.deepEqual(argvOf(resolveImage('registry.k8s.io/e2e-test-images/agnhost:2.53', ['/agnhost', 'serve-hostname'])), ['/agnhost', 'serve-hostname']);
    assert.deepEqual(argvOf(resolveImage('registry.k8s.io/e2e-test-images/agnhost:2.53', ['/bin/sh', '-c'], ['/agnhost netexec'])), ['/bin/sh', '-c', '/agnhost netexec']);
  });

  it('treats empty command and args as unset', () => {
    assert.deepEqual(argvOf(resolveImage('registry.k8s.io/e2e-test-images/agnhost:2.53', [], [])), ['/agnhost', 'pause']);
  });

  it('runs /pause for the pause image', () => {
    assert.deepEqual(resolveImage('registry.k8s.io/pause:3.10'), { kind: 'builtin', name: 'pause', argv: ['/pause'] });
    assert.deepEqual(argvOf(resolveImage('k8s.gcr.io/pause:3.2', undefined, ['-v'])), ['/pause', '-v']);
  });

  it('runs command and args from the host for any other image', () => {
    assert.deepEqual(resolveImage('busybox:1.36', ['sh', '-c'], ['echo hi']), { kind: 'host', argv: ['sh', '-c', 'echo hi'] });
    assert.deepEqual(resolveImage('nginx', ['/usr/sbin/nginx']), { kind: 'host', argv: ['/usr/sbin/nginx'] });
  });

  it('reports ErrImagePull for any other image without a command', () => {
    for (const r of [resolveImage('nginx:1.25'), resolveImage('nginx:1.25', undefined, ['-g', 'daemon off;']), resolveImage('registry.k8s.io/e2e-test-images/busybox:1.36')]) {
      assert.equal(r.kind, 'unsupported');
      assert.ok(r.kind === 'unsupported');
      assert.equal(r.reason, 'ErrImagePull');
      assert.match(r.message, /registry\.k8s\.io\/e2e-test-images\/agnhost \(any tag\)/);
      assert.match(r.message, /registry\.k8s\.io\/pause/);
      assert.match(r.message, /needs a container `command`/);
    }
  });

  it('does not mistake a look-alike repository for a built-in image', () => {
    assert.equal(findBuiltinImage('example.com/e2e-test-images/agnhost:2.53'), undefined);
    assert.equal(findBuiltinImage('registry.k8s.io/e2e-test-images/agnhost-extra:1'), undefined);
  });
});

describe('imageRepository', () => {
  it('strips tag and digest but keeps a registry port', () => {
    assert.equal(imageRepository('localhost:5000/team/app:v1@sha256:abc'), 'localhost:5000/team/app');
    assert.equal(imageRepository('nginx'), 'nginx');
  });
});

describe('builtinPaths', () => {
  it('maps /agnhost and /pause to node running the agnhost entry point', () => {
    assert.ok(existsSync(AGNHOST_MAIN));
    assert.deepEqual(builtinPaths('/opt/node'), {
      '/agnhost': ['/opt/node', AGNHOST_MAIN],
      '/pause': ['/opt/node', AGNHOST_MAIN, PAUSE_IMAGE_SUBCOMMAND],
    });
    assert.equal(builtinPaths()['/agnhost'][0], process.execPath);
  });

  it('rewrites argv[0] only when it names a built-in executable', () => {
    assert.deepEqual(toHostArgv(['/agnhost', 'netexec'], '/n'), ['/n', AGNHOST_MAIN, 'netexec']);
    assert.deepEqual(toHostArgv(['/bin/sh', '-c', '/agnhost pause'], '/n'), ['/bin/sh', '-c', '/agnhost pause']);
    assert.deepEqual(toHostArgv([], '/n'), []);
  });
});
