import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expand } from './expand.ts';

const vars: Record<string, string> = { A: 'alpha', EMPTY: '' };
const lookup = (n: string) => vars[n];

describe('expand', () => {
  const cases: [string, string][] = [
    ['$(A)', 'alpha'],
    ['x-$(A)-y', 'x-alpha-y'],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$$', '$'],
    ['$(EMPTY)z', 'z'],
    ['$(A', '$(A'],
    ['$x', '$x'],
    ['end$', 'end$'],
    ['$()', '$()'],
  ];
  for (const [input, want] of cases) {
    it(`expands ${JSON.stringify(input)} to ${JSON.stringify(want)}`, () => assert.equal(expand(input, lookup), want));
  }
});
