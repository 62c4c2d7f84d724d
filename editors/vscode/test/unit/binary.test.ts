import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { defaultIsExecutable, ensureExecutable, expandServerPath, findOnPath, normalizeImportStrategy, resolveServerBinary } from '../../src/binary';
import { bundledServerPath, currentTarget, hostTarget, RUST_TRIPLES, runsOnMusl, VSCODE_TARGETS } from '../../src/platform';

const exists = (files: string[]) => (f: string) => files.includes(f);

describe('resolveServerBinary', () => {
  it('uses ladder.serverPath when it points at an executable', () => {
    const r = resolveServerBinary({ configured: '/opt/ladder/ladder-ls', env: { PATH: '/usr/bin' }, platform: 'linux', isExecutable: exists(['/opt/ladder/ladder-ls', '/usr/bin/ladder-ls']) });
    assert.deepEqual(r, { ok: true, path: '/opt/ladder/ladder-ls', source: 'setting' });
  });

  it('reports a configured path that does not exist, without falling back to the bundled server or PATH', () => {
    const r = resolveServerBinary({
      configured: '/nope/ladder-ls',
      ...bundledOn,
      env: { PATH: '/usr/bin' },
      platform: 'linux',
      isExecutable: exists(['/usr/bin/ladder-ls']),
      isFile: exists([bundled]),
    });
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.reason === 'configured-missing');
    assert.match(!r.ok ? r.message : '', /ladder\.serverPath.*\/nope\/ladder-ls.*Clear the setting to use the server bundled.*cargo install --path server/);
  });

  it('falls back to PATH with fromEnvironment, first match wins, empty entries skipped', () => {
    const r = resolveServerBinary({ configured: '  ', importStrategy: 'fromEnvironment', env: { PATH: ':/a:/b:/c' }, platform: 'linux', isExecutable: exists(['/b/ladder-ls', '/c/ladder-ls']) });
    assert.deepEqual(r, { ok: true, path: '/b/ladder-ls', source: 'path' });
  });

  it('explains how to install when nothing is found', () => {
    const r = resolveServerBinary({ importStrategy: 'fromEnvironment', env: { PATH: '/usr/bin' }, platform: 'linux', isExecutable: () => false });
    assert.ok(!r.ok && r.reason === 'not-found');
    assert.match(!r.ok ? r.message : '', /not found on PATH \(ladder\.importStrategy is "fromEnvironment"\).*package:bundled.*cargo install --path server.*ladder\.serverPath/);
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
    const r = resolveServerBinary({ importStrategy: 'fromEnvironment', env: { Path: 'C:\\tools;C:\\bin', PATHEXT: '.COM;.EXE' }, platform: 'win32', isExecutable: exists(['C:\\bin\\ladder-ls.EXE']) });
    assert.deepEqual(r, { ok: true, path: 'C:\\bin\\ladder-ls.EXE', source: 'path' });
  });
});

const ext = '/home/u/.vscode/extensions/ladder-ls.ladder-ls-0.1.0-linux-x64';
const bundled = `${ext}/server/linux-x64/ladder-ls`;
const bundledOn = { extensionPath: ext, target: 'linux-x64' as const };

describe('resolveServerBinary: the bundled server and ladder.importStrategy', () => {
  const onPath = '/home/u/.cargo/bin/ladder-ls';
  const env = { PATH: '/usr/bin:/home/u/.cargo/bin' };

  it('uses the bundled server by default, even with another ladder-ls on PATH', () => {
    const r = resolveServerBinary({ ...bundledOn, env, platform: 'linux', isExecutable: exists([onPath, bundled]), isFile: exists([bundled]) });
    assert.deepEqual(r, { ok: true, path: bundled, source: 'bundled' });
  });

  it('takes the bundled file even when it lost its execute bits (the extension restores them)', () => {
    const r = resolveServerBinary({ ...bundledOn, env, platform: 'linux', isExecutable: () => false, isFile: exists([bundled]) });
    assert.deepEqual(r, { ok: true, path: bundled, source: 'bundled' });
  });

  it('ladder.serverPath wins over the bundled server and PATH', () => {
    const r = resolveServerBinary({ configured: '/opt/ladder-ls', importStrategy: 'fromEnvironment', ...bundledOn, env, platform: 'linux', isExecutable: exists(['/opt/ladder-ls', onPath]), isFile: exists([bundled]) });
    assert.deepEqual(r, { ok: true, path: '/opt/ladder-ls', source: 'setting' });
  });

  it('does not use PATH unless asked, and says how to ask when one is there', () => {
    const r = resolveServerBinary({ ...bundledOn, env, platform: 'linux', isExecutable: exists([onPath]), isFile: () => false, listDir: () => [] });
    assert.ok(!r.ok && r.reason === 'no-bundled');
    assert.match(!r.ok ? r.message : '', /this \.vsix bundles no `ladder-ls` \(it was packaged without one; this machine needs the linux-x64 \.vsix\)/);
    assert.match(!r.ok ? r.message : '', /A `ladder-ls` is on PATH \(\/home\/u\/\.cargo\/bin\/ladder-ls\): set `ladder\.importStrategy` to "fromEnvironment"/);
  });

  it('names the targets a .vsix for another machine holds', () => {
    const r = resolveServerBinary({ ...bundledOn, env: { PATH: '' }, platform: 'linux', isExecutable: () => false, isFile: () => false, listDir: (d) => (d === `${ext}/server` ? ['darwin-arm64'] : []) });
    assert.ok(!r.ok && r.reason === 'no-bundled');
    assert.match(!r.ok ? r.message : '', /bundles `ladder-ls` for darwin-arm64, not for this machine \(linux-x64\)/);
    assert.doesNotMatch(!r.ok ? r.message : '', /is on PATH/);
  });

  it('says so on a platform with no target', () => {
    const r = resolveServerBinary({ extensionPath: ext, target: undefined, env: { PATH: '' }, platform: 'freebsd', isExecutable: () => false });
    assert.match(!r.ok ? r.message : '', /no bundled `ladder-ls` exists for this platform/);
  });

  it('fromEnvironment prefers PATH and falls back to the bundled server', () => {
    const both = resolveServerBinary({ importStrategy: 'fromEnvironment', ...bundledOn, env, platform: 'linux', isExecutable: exists([onPath]), isFile: exists([bundled]) });
    assert.deepEqual(both, { ok: true, path: onPath, source: 'path' });
    const bundledOnly = resolveServerBinary({ importStrategy: 'fromEnvironment', ...bundledOn, env, platform: 'linux', isExecutable: () => false, isFile: exists([bundled]) });
    assert.deepEqual(bundledOnly, { ok: true, path: bundled, source: 'bundled' });
  });
});

describe('normalizeImportStrategy', () => {
  it('defaults to useBundled and warns about unknown values', () => {
    assert.deepEqual(normalizeImportStrategy(undefined), { strategy: 'useBundled' });
    assert.deepEqual(normalizeImportStrategy('fromEnvironment'), { strategy: 'fromEnvironment' });
    const bad = normalizeImportStrategy('fromPath');
    assert.equal(bad.strategy, 'useBundled');
    assert.match(bad.warning ?? '', /expected one of useBundled, fromEnvironment, got "fromPath"/);
  });
});

describe('platform targets', () => {
  it('maps platform, CPU and libc to vsce target names', () => {
    assert.equal(hostTarget('linux', 'x64', false), 'linux-x64');
    assert.equal(hostTarget('linux', 'x64', true), 'alpine-x64');
    assert.equal(hostTarget('linux', 'arm64', false), 'linux-arm64');
    assert.equal(hostTarget('linux', 'arm', false), 'linux-armhf');
    assert.equal(hostTarget('linux', 'arm', true), undefined, 'there is no alpine-armhf');
    assert.equal(hostTarget('darwin', 'arm64', false), 'darwin-arm64');
    assert.equal(hostTarget('win32', 'x64', false), 'win32-x64');
    assert.equal(hostTarget('win32', 'ia32', false), undefined);
    assert.equal(hostTarget('freebsd', 'x64', false), undefined);
  });

  it('knows this machine: glibc or musl from ldd, and its target', () => {
    if (process.platform !== 'linux') return;
    const ldd = fs.existsSync('/usr/bin/ldd') ? fs.readFileSync('/usr/bin/ldd', 'latin1') : '';
    if (ldd.includes('GNU C Library')) assert.equal(runsOnMusl(), false);
    if (ldd.includes('musl')) assert.equal(runsOnMusl(), true);
    assert.equal(currentTarget(), hostTarget('linux', process.arch, runsOnMusl()));
  });

  it('names a Rust triple of the same OS, CPU and libc for every target', () => {
    for (const t of VSCODE_TARGETS) {
      const triple = RUST_TRIPLES[t];
      const [os, cpu] = t.split('-');
      assert.ok(triple.startsWith({ x64: 'x86_64-', arm64: 'aarch64-', armhf: 'armv7-' }[cpu] ?? '?'), `${t} → ${triple}`);
      const suffix = { linux: /-linux-gnu(eabihf)?$/, alpine: /-linux-musl$/, darwin: /-apple-darwin$/, win32: /-pc-windows-msvc$/ }[os];
      assert.match(triple, suffix ?? /^$/, t);
    }
  });

  it('puts the binary under server/<target>/, with .exe on Windows', () => {
    assert.equal(bundledServerPath('/ext', 'linux-arm64'), path.join('/ext', 'server', 'linux-arm64', 'ladder-ls'));
    assert.equal(bundledServerPath('/ext', 'win32-x64'), path.join('/ext', 'server', 'win32-x64', 'ladder-ls.exe'));
  });
});

describe('ensureExecutable on the real file system', () => {
  it('restores execute bits a zip extraction dropped, and leaves an executable alone', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ladder-exec-'));
    try {
      const file = path.join(dir, 'ladder-ls');
      fs.writeFileSync(file, '#!/bin/sh\necho ok\n', { mode: 0o644 });
      assert.equal(ensureExecutable(file, 'linux'), true);
      assert.equal(fs.statSync(file).mode & 0o777, 0o755);
      assert.equal(ensureExecutable(file, 'linux'), false);
      assert.equal(ensureExecutable(file, 'win32'), false);
      assert.throws(() => ensureExecutable(path.join(dir, 'missing'), 'linux'), /cannot make the bundled server executable \(.*missing\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
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
