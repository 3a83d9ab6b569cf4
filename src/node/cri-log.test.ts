import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, MAX_LOG_LINE, formatCriLine, parseCriLine, parseCriLog, parseRfc3339Nano, renderLogEntries, rfc3339Nano } from './cri-log.ts';

const log = [
  '2024-05-01T10:00:00.000000001Z stdout F first',
  '2024-05-01T10:00:01.5Z stderr F second',
  '2024-05-01T10:00:02.000000000Z stdout P thi',
  '2024-05-01T10:00:02.100000000Z stdout F rd',
  '2024-05-01T10:00:03.000000000Z stdout F fourth has spaces ',
  '',
].join('\n');

describe('CRI log lines', () => {
  it('round-trips an entry', () => {
    const line = formatCriLine({ time: '2024-05-01T10:00:00.000000001Z', stream: 'stderr', isPartial: true, text: 'a b' });
    assert.equal(line, '2024-05-01T10:00:00.000000001Z stderr P a b\n');
    assert.deepEqual(parseCriLine(line.slice(0, -1)), { time: '2024-05-01T10:00:00.000000001Z', stream: 'stderr', isPartial: true, text: 'a b' });
  });

  it('keeps an empty line', () => {
    assert.deepEqual(parseCriLine('2024-05-01T10:00:00Z stdout F '), { time: '2024-05-01T10:00:00Z', stream: 'stdout', isPartial: false, text: '' });
  });

  it('rejects what is not a CRI line', () => {
    assert.equal(parseCriLine('hello world'), undefined);
    assert.equal(parseCriLine('2024 stdin F x'), undefined);
  });

  it('formats and parses nanosecond times', () => {
    const ns = 1714557600123456789n;
    assert.equal(rfc3339Nano(ns), '2024-05-01T10:00:00.123456789Z');
    assert.equal(parseRfc3339Nano('2024-05-01T10:00:00.123456789Z'), ns);
    assert.equal(parseRfc3339Nano('2024-05-01T10:00:00.5Z'), 1714557600500000000n);
  });
});

describe('renderLogEntries', () => {
  const entries = parseCriLog(log);
  it('joins partial entries into lines', () => {
    assert.equal(renderLogEntries(entries), 'first\nsecond\nthird\nfourth has spaces \n');
  });
  it('keeps the last N lines for --tail, counting partials with their line', () => {
    assert.equal(renderLogEntries(entries, { tailLines: 2 }), 'third\nfourth has spaces \n');
    assert.equal(renderLogEntries(entries, { tailLines: 0 }), '');
    assert.equal(renderLogEntries(entries, { tailLines: 10 }), 'first\nsecond\nthird\nfourth has spaces \n');
  });
  it('prefixes timestamps for --timestamps', () => {
    assert.equal(renderLogEntries(entries, { tailLines: 1, timestamps: true }), '2024-05-01T10:00:03.000000000Z fourth has spaces \n');
  });
  it('drops entries before --since', () => {
    assert.equal(renderLogEntries(entries, { sinceNs: parseRfc3339Nano('2024-05-01T10:00:01.5Z') }), 'second\nthird\nfourth has spaces \n');
  });
  it('cuts at --limit-bytes', () => {
    assert.equal(renderLogEntries(entries, { limitBytes: 8 }), 'first\nse');
  });
});

describe('LineSplitter', () => {
  it('emits one entry per line across chunks and keeps the rest', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push('a\nb'), [{ text: 'a', isPartial: false }]);
    assert.deepEqual(s.push('c\n\nd'), [{ text: 'bc', isPartial: false }, { text: '', isPartial: false }]);
    assert.deepEqual(s.flush(), [{ text: 'd', isPartial: false }]);
    assert.deepEqual(s.flush(), []);
  });
  it('splits an over-long line into partial entries', () => {
    const s = new LineSplitter();
    const long = 'x'.repeat(MAX_LOG_LINE + 5);
    assert.deepEqual(s.push(long + '\n').map((e) => [e.text.length, e.isPartial]), [[MAX_LOG_LINE, true], [5, false]]);
  });
});
