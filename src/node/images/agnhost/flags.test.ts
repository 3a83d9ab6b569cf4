import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bool, duration, FlagError, int, parseFlags, parseGoDuration, str } from './flags.ts';

const spec = { port: int(8080), name: str('x'), close: bool(false), http: bool(true), timeout: duration(0) };

describe('parseFlags', () => {
  it('returns the defaults when no flag is given', () => {
    assert.deepEqual(parseFlags([], spec), { flags: { port: 8080, name: 'x', close: false, http: true, timeout: 0 }, positionals: [] });
  });

  it('reads --name=value and --name value, taking a negative number as the value', () => {
    const { flags } = parseFlags(['--port', '-1', '--name=a=b', '--timeout', '1m30s'], spec);
    assert.deepEqual([flags.port, flags.name, flags.timeout], [-1, 'a=b', 90_000]);
  });

  it('sets booleans bare or with =false, never consuming the next argument', () => {
    const { flags, positionals } = parseFlags(['--close', 'pos', '--http=false'], spec);
    assert.deepEqual([flags.close, flags.http, positionals], [true, false, ['pos']]);
  });

  it('keeps positionals between flags and after --', () => {
    assert.deepEqual(parseFlags(['a', '--port=1', 'b', '--', '--port=2'], spec).positionals, ['a', 'b', '--port=2']);
  });

  it('accepts and ignores klog flags such as --v=2', () => {
    assert.equal(parseFlags(['--v=2', '--logtostderr', '--port=9'], spec).flags.port, 9);
  });

  it('rejects unknown flags, bad values and missing values', () => {
    assert.throws(() => parseFlags(['--nope'], spec), (e) => e instanceof FlagError && e.message === 'unknown flag: --nope');
    assert.throws(() => parseFlags(['--port=abc'], spec), /invalid argument "abc" for "--port" flag/);
    assert.throws(() => parseFlags(['--close=maybe'], spec), /invalid argument "maybe"/);
    assert.throws(() => parseFlags(['--port'], spec), /flag needs an argument: --port/);
    assert.throws(() => parseFlags(['-p'], spec), /unknown shorthand flag/);
  });
});

describe('parseGoDuration', () => {
  const cases: Array<[string, number | undefined]> = [
    ['0', 0], ['5s', 5000], ['250ms', 250], ['1.5s', 1500], ['1h2m3s', 3_723_000], ['-2s', -2000], ['100us', 0.1],
    ['5', undefined], ['', undefined], ['s', undefined], ['5 s', undefined],
  ];
  for (const [text, want] of cases) it(`reads ${JSON.stringify(text)} as ${want}`, () => assert.equal(parseGoDuration(text), want));
});
