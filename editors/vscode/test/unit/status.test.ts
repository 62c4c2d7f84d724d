import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatMissingServer, formatStatus, levelLabel, NOT_VERIFIED_NOTE, parseShowLevelResult, type ShowLevelResult } from '../../src/status';

describe('parseShowLevelResult', () => {
  it('accepts the documented answer', () => {
    const r = parseShowLevelResult({ uri: 'file:///a.ex', level: 3, label: 'L3', next: 'next: L4 — 2 missing-spec', gatesVerified: false });
    assert.deepEqual(r, { uri: 'file:///a.ex', level: 3, label: 'L3', next: 'next: L4 — 2 missing-spec', gatesVerified: false, target: null, targetBlockers: 0 });
  });

  it('reads the target and its blockers', () => {
    const r = parseShowLevelResult({ level: 2, label: 'L2', next: 'next: L3 — 2 missing-test-file', target: 3, targetBlockers: 2 });
    assert.equal(r?.target, 3);
    assert.equal(r?.targetBlockers, 2);
    assert.equal(parseShowLevelResult({ level: 2, target: 9, targetBlockers: -1 })?.target, null);
    assert.equal(parseShowLevelResult({ level: 2, target: 9, targetBlockers: -1 })?.targetBlockers, 0);
  });

  it('derives a missing label from the level, L– for null', () => {
    assert.equal(parseShowLevelResult({ level: 5 })?.label, 'L5');
    assert.equal(parseShowLevelResult({ level: null })?.label, 'L–');
    assert.equal(parseShowLevelResult({})?.label, 'L–');
  });

  it('rejects non-objects and nonsense levels', () => {
    for (const bad of [null, undefined, 'L3', 3, { level: -1 }, { level: 1.5 }, { level: '3' }]) {
      assert.equal(parseShowLevelResult(bad), undefined, JSON.stringify(bad));
    }
  });

  it('treats empty next as null', () => {
    assert.equal(parseShowLevelResult({ level: 7, next: '  ' })?.next, null);
  });
});

const base: ShowLevelResult = { uri: '', level: 3, label: 'L3', next: null, gatesVerified: true, target: null, targetBlockers: 0 };

describe('formatStatus', () => {
  it('says where the file stands against its target', () => {
    const below = formatStatus({ ...base, level: 2, label: 'L2', next: 'next: L3 — 2 missing-test-file', target: 3, targetBlockers: 2 });
    assert.equal(below.text, 'Ladder L2 → target L3: 2 blockers');
    assert.equal(below.tooltip, 'next: L3 — 2 missing-test-file\nFindings above L3 (the file\'s target) show as hints.');
    assert.equal(below.warning, false);
    assert.equal(formatStatus({ ...base, level: 0, label: 'L0', target: 5, targetBlockers: 1 }).text, 'Ladder L0 → target L5: 1 blocker');
    assert.equal(formatStatus({ ...base, level: null, label: 'L–', target: 3, targetBlockers: 4 }).text, 'Ladder L– → target L3: 4 blockers');
    assert.equal(formatStatus({ ...base, level: 4, label: 'L4', target: 3 }).text, 'Ladder L4 · target L3 reached');
  });

  it('shows the label and the next blocker, with the not-verified note', () => {
    const v = formatStatus({ uri: '', level: 3, label: 'L3', next: 'next: L4 — 2 missing-spec', gatesVerified: false, target: null, targetBlockers: 0 });
    assert.equal(v.text, 'Ladder L3');
    assert.equal(v.tooltip, `next: L4 — 2 missing-spec\n${NOT_VERIFIED_NOTE}`);
    assert.equal(v.warning, false);
  });

  it('omits the note when the gates ran', () => {
    const v = formatStatus({ uri: '', level: 4, label: 'L4', next: 'next: L5 — 1 sql-injection', gatesVerified: true, target: null, targetBlockers: 0 });
    assert.equal(v.tooltip, 'next: L5 — 1 sql-injection');
  });

  it('says when not even L0 passes', () => {
    const v = formatStatus({ uri: '', level: null, label: levelLabel(null), next: null, gatesVerified: false, target: null, targetBlockers: 0 });
    assert.equal(v.text, 'Ladder L–');
    assert.match(v.tooltip, /Not even L0/);
    assert.equal(v.warning, true);
  });

  it('says when the top is reached', () => {
    const v = formatStatus({ uri: '', level: 7, label: 'L7', next: null, gatesVerified: true, target: null, targetBlockers: 0 });
    assert.equal(v.text, 'Ladder L7');
    assert.match(v.tooltip, /Top of the ladder/);
  });

  it('formats a missing server', () => {
    const v = formatMissingServer('not found');
    assert.match(v.text, /no server/);
    assert.match(v.tooltip, /^not found/);
  });
});
