import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { buildInitializationOptions, configurationItem, DEFAULT_MIX } from '../../src/settings';

/** A getter over a flat `ladder.*` settings object, like `workspace.getConfiguration('ladder').get`. */
function getter(values: Record<string, unknown>) {
  return (key: string) => values[key];
}

describe('buildInitializationOptions', () => {
  it('uses the defaults when nothing is set', () => {
    const { options, warnings } = buildInitializationOptions(getter({}), true);
    assert.deepEqual(options, { targetLevel: null, aboveTarget: 'hint', rules: {}, mix: { enabled: false, env: 'test', timeoutMs: 300000 } });
    assert.deepEqual(warnings, []);
  });

  it('maps every setting to the camelCase shape the server expects', () => {
    const { options, warnings } = buildInitializationOptions(
      getter({
        serverPath: '/opt/ladder-ls',
        targetLevel: 5,
        aboveTarget: 'asIs',
        rules: { 'missing-test-file': 'off', 'line-too-long': { severity: 'info', max: 120 }, 'deep-nesting': { max: 3 } },
        'mix.enabled': true,
        'mix.env': 'dev',
        'mix.timeoutMs': 60000,
        'trace.server': 'verbose',
      }),
      true,
    );
    assert.deepEqual(options, {
      targetLevel: 5,
      aboveTarget: 'asIs',
      rules: { 'missing-test-file': 'off', 'line-too-long': { severity: 'info', max: 120 }, 'deep-nesting': { max: 3 } },
      mix: { enabled: true, env: 'dev', timeoutMs: 60000 },
    });
    assert.deepEqual(warnings, []);
    // serverPath and trace are client concerns, not server options.
    assert.equal(JSON.stringify(options).includes('serverPath'), false);
    assert.equal(JSON.stringify(options).includes('trace'), false);
  });

  it('forces the mix gates off in an untrusted workspace', () => {
    const { options, warnings } = buildInitializationOptions(getter({ 'mix.enabled': true, 'mix.env': 'dev' }), false);
    assert.equal(options.mix.enabled, false);
    assert.equal(options.mix.env, 'dev');
    assert.match(warnings.join('\n'), /not trusted/);
  });

  it('does not warn about trust when mix is off anyway', () => {
    const { warnings } = buildInitializationOptions(getter({ 'mix.enabled': false }), false);
    assert.deepEqual(warnings, []);
  });

  it('accepts aboveTarget hint, off and asIs; anything else is hint with a warning', () => {
    for (const v of ['hint', 'off', 'asIs'] as const) {
      assert.equal(buildInitializationOptions(getter({ aboveTarget: v }), true).options.aboveTarget, v);
    }
    const r = buildInitializationOptions(getter({ aboveTarget: 'loud' }), true);
    assert.equal(r.options.aboveTarget, 'hint');
    assert.match(r.warnings[0], /ladder\.aboveTarget/);
  });

  it('accepts targetLevel 0 and 7, rejects out-of-range and fractional levels', () => {
    assert.equal(buildInitializationOptions(getter({ targetLevel: 0 }), true).options.targetLevel, 0);
    assert.equal(buildInitializationOptions(getter({ targetLevel: 7 }), true).options.targetLevel, 7);
    assert.equal(buildInitializationOptions(getter({ targetLevel: null }), true).options.targetLevel, null);
    for (const bad of [8, -1, 2.5, 'high', true]) {
      const r = buildInitializationOptions(getter({ targetLevel: bad }), true);
      assert.equal(r.options.targetLevel, null, `targetLevel ${JSON.stringify(bad)}`);
      assert.equal(r.warnings.length, 1);
    }
  });

  it('drops invalid rule entries with a warning and normalises severity case', () => {
    const { options, warnings } = buildInitializationOptions(
      getter({ rules: { a: 'Warning', b: 'loud', c: 3, d: { severity: 'nope', max: 2 }, e: { severity: 'HINT' } } }),
      true,
    );
    assert.deepEqual(options.rules, { a: 'warning', d: { max: 2 }, e: { severity: 'hint' } });
    assert.equal(warnings.length, 3);
  });

  it('ignores a non-object rules value', () => {
    const { options, warnings } = buildInitializationOptions(getter({ rules: ['missing-spec'] }), true);
    assert.deepEqual(options.rules, {});
    assert.equal(warnings.length, 1);
  });

  it('falls back to mix defaults on bad values', () => {
    const { options, warnings } = buildInitializationOptions(
      getter({ 'mix.enabled': 'yes', 'mix.env': 42, 'mix.timeoutMs': -5 }),
      true,
    );
    assert.deepEqual(options.mix, { ...DEFAULT_MIX });
    assert.equal(warnings.length, 3);
  });

  it('does not share the rules object with the settings it read', () => {
    const rule = { severity: 'info', max: 3 };
    const { options } = buildInitializationOptions(getter({ rules: { x: rule } }), true);
    (options.rules.x as Record<string, unknown>).max = 99;
    assert.equal(rule.max, 3);
  });
});

describe('configurationItem', () => {
  const { options } = buildInitializationOptions(getter({ targetLevel: 4, 'mix.enabled': true }), true);

  it('answers the whole ladder section', () => {
    assert.deepEqual(configurationItem('ladder', options), options);
  });

  it('answers dotted sub-sections', () => {
    assert.deepEqual(configurationItem('ladder.mix', options), options.mix);
    assert.equal(configurationItem('ladder.mix.enabled', options), true);
    assert.equal(configurationItem('ladder.targetLevel', options), 4);
    assert.equal(configurationItem('ladder.nope', options), null);
  });

  it('leaves other sections to VS Code', () => {
    assert.equal(configurationItem('editor', options), undefined);
    assert.equal(configurationItem('ladderish', options), undefined);
    assert.equal(configurationItem(undefined, options), undefined);
  });
});
