import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { defaultIsExecutable, expandServerPath, findOnPath, resolveServerBinary } from '../../src/binary';

const exists = (files: string[]) => (f: string) => files.includes(f);

describe('resolveServerBinary', () => {
  it('uses ladder.serverPath when it points at an executable', () => {
    const r = resolveServerBinary({ configured: '/opt/ladder/ladder-ls', env: { PATH: '/usr/bin' }, platform: 'linux', isExecutable: exists(['/opt/ladder/ladder-ls', '/usr/bin/ladder-ls']) });
    assert.deepEqual(r, { ok: true, path: '/opt/ladder/ladder-ls', source: 'setting' });
  });

  it('reports a configured path that does not exist, without falling back to PATH', () => {
    const r = resolveServerBinary({ configured: '/nope/ladder-ls', env: { PATH: '/usr/bin' }, platform: 'linux', isExecutable: exists(['/usr/bin/ladder-ls']) });
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.reason === 'configured-missing');
    assert.match(!r.ok ? r.message : '', /ladder\.serverPath.*\/nope\/ladder-ls.*cargo install --path server/);
  });

  it('falls back to PATH, first match wins, empty entries skipped', () => {
    const r = resolveServerBinary({ configured: '  ', env: { PATH: ':/a:/b:/c' }, platform: 'linux', isExecutable: exists(['/b/ladder-ls', '/c/ladder-ls']) });
    assert.deepEqual(r, { ok: true, path: '/b/ladder-ls', source: 'path' });
  });

  it('explains how to install when nothing is found', () => {
    const r = resolveServerBinary({ env: { PATH: '/usr/bin' }, platform: 'linux', isExecutable: () => false });
    assert.ok(!r.ok && r.reason === 'not-found');
    assert.match(!r.ok ? r.message : '', /not found on PATH.*cargo install --path server.*ladder\.serverPath/);
  });

  it('looks a bare name in the setting up on PATH', () => {
    const r = resolveServerBinary({ configured: 'ladder-ls-dev', env: { PATH: '/x' }, platform: 'linux', isExecutable: exists(['/x/ladder-ls-dev']) });
    assert.deepEqual(r, { ok: true, path: '/x/ladder-ls-dev', source: 'setting' });
  });

  it('resolves relative and ${workspaceFolder} paths against the first folder', () => {
    const bin = '/ws/target/debug/ladder-ls';
    for (const configured of ['target/debug/ladder-ls', './target/debug/ladder-ls', '${workspaceFolder}/target/debug/ladder-ls']) {
      const r = resolveServerBinary({ configured, workspaceFolders: ['/ws', '/other'], env: {}, platform: 'linux', isExecutable: exists([bin]) });
      assert.deepEqual(r, { ok: true, path: bin, source: 'setting' }, configured);
    }
  });

  it('uses PATHEXT on Windows', () => {
    const r = resolveServerBinary({ env: { Path: 'C:\\tools;C:\\bin', PATHEXT: '.COM;.EXE' }, platform: 'win32', isExecutable: exists(['C:\\bin\\ladder-ls.EXE']) });
    assert.deepEqual(r, { ok: true, path: 'C:\\bin\\ladder-ls.EXE', source: 'path' });
  });
});

describe('expandServerPath', () => {
  it('expands ~, ${userHome} and ${env:NAME}', () => {
    const opts = { homedir: '/home/u', env: { CARGO_HOME: '/cargo' }, platform: 'linux' as const };
    assert.equal(expandServerPath('~/.cargo/bin/ladder-ls', opts), '/home/u/.cargo/bin/ladder-ls');
    assert.equal(expandServerPath('${userHome}/bin/ladder-ls', opts), '/home/u/bin/ladder-ls');
    assert.equal(expandServerPath('${env:CARGO_HOME}/bin/ladder-ls', opts), '/cargo/bin/ladder-ls');
  });

  it('keeps ${workspaceFolder} when there is no folder', () => {
    assert.equal(expandServerPath('${workspaceFolder}/x', { platform: 'linux', env: {} }), '${workspaceFolder}/x');
  });
});

describe('defaultIsExecutable / findOnPath on the real file system', () => {
  it('finds an executable file and ignores non-executable files and directories', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ladder-bin-'));
    try {
      const a = path.join(dir, 'a');
      const b = path.join(dir, 'b');
      fs.mkdirSync(a);
      fs.mkdirSync(b);
      fs.mkdirSync(path.join(a, 'ladder-ls')); // a directory named like the binary
      fs.writeFileSync(path.join(b, 'ladder-ls'), '#!/bin/sh\n');
      assert.equal(findOnPath('ladder-ls', { PATH: `${a}:${b}` }, 'linux', defaultIsExecutable), undefined);
      fs.chmodSync(path.join(b, 'ladder-ls'), 0o755);
      if (process.getuid?.() !== 0) assert.equal(defaultIsExecutable(path.join(a, 'x')), false);
      assert.equal(findOnPath('ladder-ls', { PATH: `${a}:${b}` }, 'linux', defaultIsExecutable), path.join(b, 'ladder-ls'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
