import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errnoText, goJson, goTimeString, joinHostPort } from './common.ts';
import { canonicalHeaderKey, cleanPath, runShell } from './netexec-http.ts';

describe('Go-compatible formatting', () => {
  it('prints time like fmt.Sprint(time.Now()) in UTC, trimming trailing zeros', () => {
    assert.equal(goTimeString(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 120)), 1.5), '2024-01-02 03:04:05.12 +0000 UTC m=+1.500000000');
    assert.equal(goTimeString(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 0)), 0), '2024-01-02 03:04:05 +0000 UTC m=+0.000000000');
  });

  it('marshals JSON with sorted keys and HTML-escaped characters', () => {
    assert.equal(goJson({ output: '<a & b>', error: 'x' }), '{"error":"x","output":"\\u003ca \\u0026 b\\u003e"}');
  });

  it('joins host and port, bracketing IPv6 and unmapping IPv4-mapped addresses', () => {
    assert.equal(joinHostPort('10.0.0.1', 80), '10.0.0.1:80');
    assert.equal(joinHostPort('fd00::1', 80), '[fd00::1]:80');
    assert.equal(joinHostPort('::ffff:10.0.0.1', 80), '10.0.0.1:80');
  });

  it('names errno codes the way Go does', () => {
    assert.equal(errnoText(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), 'connection refused');
    assert.equal(errnoText(new Error('something else')), 'something else');
  });

  it('canonicalises header keys like textproto', () => {
    assert.equal(canonicalHeaderKey('x-forwarded-for'), 'X-Forwarded-For');
    assert.equal(canonicalHeaderKey('USER-AGENT'), 'User-Agent');
  });

  it('cleans paths like Go\'s ServeMux, keeping a trailing slash', () => {
    assert.equal(cleanPath('//hostname'), '/hostname');
    assert.equal(cleanPath('/a/./b/../c/'), '/a/c/');
    assert.equal(cleanPath('/'), '/');
  });
});

describe('runShell', () => {
  it('combines stdout and stderr and reports a non-zero exit as Go does', async () => {
    assert.deepEqual(await runShell('/bin/sh', 'echo out; echo err >&2; exit 2'), { output: 'out\nerr\n', error: 'exit status 2' });
  });
  it('reports a signal death', async () => {
    assert.deepEqual(await runShell('/bin/sh', 'kill -9 $$'), { output: '', error: 'signal: killed' });
  });
  it('reports a missing shell as a fork/exec error', async () => {
    const r = await runShell('/nonexistent/sh', 'true');
    assert.match(r.error ?? '', /^fork\/exec \/nonexistent\/sh: /);
  });
});
