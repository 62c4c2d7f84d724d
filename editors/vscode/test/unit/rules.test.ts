import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { debounce, parseRulesTable } from '../../src/rules';

describe('parseRulesTable', () => {
  it('parses the table printed by `ladder-ls rules`', () => {
    // Verbatim from ladder-ls 0.1.0.
    const out = [
      'code                 level  severity  fixable  summary',
      'syntax-error         L0     error     no       Code that does not parse: missing `end`, unclosed brackets, unexpected tokens',
      'trailing-whitespace  L1     warning   yes      Trailing spaces or tabs (outside strings and heredocs)',
      'io-inspect           L2     warning   yes      `IO.inspect` calls, including piped and captured ones',
      'missing-spec         L4     warning   yes      Public function or macro without `@spec`',
      '',
    ].join('\n');
    const rows = parseRulesTable(out);
    assert.deepEqual(rows.map((r) => r.code), ['syntax-error', 'trailing-whitespace', 'io-inspect', 'missing-spec']);
    assert.deepEqual(rows[3], {
      code: 'missing-spec',
      level: 'L4',
      summary: 'Public function or macro without `@spec`',
      detail: 'L4 warning yes Public function or macro without `@spec`',
    });
  });

  it('parses a whitespace-aligned table with a header and a footer', () => {
    const out = [
      'CODE                 LEVEL  SEVERITY  FIX  SUMMARY',
      'syntax-error         L0     error     -    Parse errors (missing `end`, …)',
      'trailing-whitespace  L1     warning   yes  Trailing spaces or tabs',
      'missing-spec         L4     warning   yes  Public function without @spec',
      '',
      '3 rules',
    ].join('\n');
    const rows = parseRulesTable(out);
    assert.deepEqual(rows.map((r) => r.code), ['syntax-error', 'trailing-whitespace', 'missing-spec']);
    assert.equal(rows[2].level, 'L4');
    assert.equal(rows[2].summary, 'Public function without @spec');
  });

  it('parses a pipe/box-drawing table and bare numeric levels', () => {
    const out = [
      '| code | level | severity | fixable | summary |',
      '|------|-------|----------|---------|---------|',
      '| io-inspect | 2 | warning | yes | IO.inspect left in code |',
      '│ dbg-call │ 2 │ warning │ yes │ dbg left in code │',
    ].join('\n');
    const rows = parseRulesTable(out);
    assert.deepEqual(rows.map((r) => [r.code, r.level]), [['io-inspect', 'L2'], ['dbg-call', 'L2']]);
  });

  it('handles single-space separated rows, ANSI colours and duplicates', () => {
    const rows = parseRulesTable('\u001b[1mmissing-doc\u001b[0m L7 warning\nmissing-doc L7 warning\r\nlarge-number L2 info\n');
    assert.deepEqual(rows.map((r) => r.code), ['missing-doc', 'large-number']);
  });

  it('returns nothing for empty output', () => {
    assert.deepEqual(parseRulesTable(''), []);
  });
});

describe('debounce', () => {
  it('calls once, with the last arguments, after the quiet period', async () => {
    const calls: number[] = [];
    const d = debounce((n: number) => calls.push(n), 20);
    d(1);
    d(2);
    d(3);
    assert.deepEqual(calls, []);
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(calls, [3]);
  });

  it('can be cancelled', async () => {
    const calls: number[] = [];
    const d = debounce((n: number) => calls.push(n), 10);
    d(1);
    d.cancel();
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(calls, []);
  });
});
