import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import * as zlib from 'node:zlib';

import { binaryMismatch, checkVsix, listZip, parseArgs, readBinaryKind, readZipEntry, UsageError } from '../../scripts/bundle';
import { currentTarget } from '../../src/platform';

describe('parseArgs', () => {
  it('takes the target as a word or --target, and --binary/--out in both spellings', () => {
    assert.deepEqual(parseArgs([]), { help: false });
    assert.deepEqual(parseArgs(['darwin-arm64', '--binary', '/tmp/ladder-ls']), { help: false, target: 'darwin-arm64', binary: '/tmp/ladder-ls' });
    assert.deepEqual(parseArgs(['--target=win32-x64', '--out=x.vsix']), { help: false, target: 'win32-x64', out: 'x.vsix' });
    assert.equal(parseArgs(['-h']).help, true);
  });

  it('rejects unknown targets and options, missing values and repeats, as usage errors', () => {
    const cases: [string[], RegExp][] = [
      [['linux-x86'], /unknown target "linux-x86": expected one of linux-x64, .*win32-arm64/],
      [['web'], /unknown target "web"/],
      [['--strip'], /unknown option --strip/],
      [['--binary'], /--binary needs a value/],
      [['--binary', '--out', 'x'], /--binary needs a value/],
      [['linux-x64', '--target', 'darwin-x64'], /target given twice/],
    ];
    for (const [argv, message] of cases) {
      assert.throws(() => parseArgs(argv), (err: unknown) => err instanceof UsageError && message.test(err.message), argv.join(' '));
    }
  });
});

/** A minimal ELF header (+ one PT_INTERP program header when `interp` is given). */
function elf(machine: number, interp?: string, bits: 32 | 64 = 64): Buffer {
  const b = Buffer.alloc(512);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = bits === 64 ? 2 : 1;
  b[5] = 1; // little-endian
  b.writeUInt16LE(machine, 18);
  const phoff = bits === 64 ? 64 : 52;
  if (bits === 64) {
    b.writeBigUInt64LE(BigInt(phoff), 32);
    b.writeUInt16LE(56, 54);
    b.writeUInt16LE(interp ? 1 : 0, 56);
  } else {
    b.writeUInt32LE(phoff, 28);
    b.writeUInt16LE(32, 42);
    b.writeUInt16LE(interp ? 1 : 0, 44);
  }
  if (interp) {
    const at = 300;
    b.writeUInt32LE(3, phoff); // PT_INTERP
    if (bits === 64) {
      b.writeBigUInt64LE(BigInt(at), phoff + 8);
      b.writeBigUInt64LE(BigInt(interp.length + 1), phoff + 32);
    } else {
      b.writeUInt32LE(at, phoff + 4);
      b.writeUInt32LE(interp.length + 1, phoff + 16);
    }
    b.write(interp, at, 'latin1');
  }
  return b;
}

function machO(cputype: number): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32LE(0xfeedfacf, 0);
  b.writeUInt32LE(cputype, 4);
  return b;
}

function pe(machine: number): Buffer {
  const b = Buffer.alloc(256);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.writeUInt32BE(0x50450000, 0x80);
  b.writeUInt16LE(machine, 0x84);
  return b;
}

describe('readBinaryKind / binaryMismatch', () => {
  const glibc = '/lib64/ld-linux-x86-64.so.2';
  const musl = '/lib/ld-musl-x86_64.so.1';

  it('accepts binaries built for the target', () => {
    assert.equal(binaryMismatch(readBinaryKind(elf(0x3e, glibc)), 'linux-x64'), undefined);
    assert.equal(binaryMismatch(readBinaryKind(elf(0xb7, '/lib/ld-linux-aarch64.so.1')), 'linux-arm64'), undefined);
    assert.equal(binaryMismatch(readBinaryKind(elf(0x28, '/lib/ld-linux-armhf.so.3', 32)), 'linux-armhf'), undefined);
    assert.equal(binaryMismatch(readBinaryKind(elf(0x3e, musl)), 'alpine-x64'), undefined);
    assert.equal(binaryMismatch(readBinaryKind(elf(0x3e)), 'alpine-x64'), undefined, 'a static binary runs on both');
    assert.equal(binaryMismatch(readBinaryKind(elf(0x3e)), 'linux-x64'), undefined);
    assert.equal(binaryMismatch(readBinaryKind(machO(0x0100000c)), 'darwin-arm64'), undefined);
    assert.equal(binaryMismatch(readBinaryKind(machO(0x01000007)), 'darwin-x64'), undefined);
    assert.equal(binaryMismatch(readBinaryKind(pe(0x8664)), 'win32-x64'), undefined);
    assert.equal(binaryMismatch(readBinaryKind(pe(0xaa64)), 'win32-arm64'), undefined);
  });

  it('names what is wrong with a binary for another platform', () => {
    assert.match(binaryMismatch(readBinaryKind(elf(0x3e, glibc)), 'darwin-arm64') ?? '', /ELF \(Linux\) binary; darwin-arm64 needs a Mach-O/);
    assert.match(binaryMismatch(readBinaryKind(elf(0x3e, glibc)), 'linux-arm64') ?? '', /built for x64; linux-arm64 needs arm64/);
    assert.match(binaryMismatch(readBinaryKind(elf(0x3e, glibc)), 'alpine-x64') ?? '', /glibc .*Alpine lacks/);
    assert.match(binaryMismatch(readBinaryKind(elf(0x3e, musl)), 'linux-x64') ?? '', /musl .*alpine-x64 target/);
    assert.match(binaryMismatch(readBinaryKind(machO(0x01000007)), 'darwin-arm64') ?? '', /x64; darwin-arm64 needs arm64/);
    assert.match(binaryMismatch(readBinaryKind(pe(0x8664)), 'linux-x64') ?? '', /PE \(Windows\)/);
    assert.match(binaryMismatch(readBinaryKind(Buffer.from('#!/usr/bin/env node\n')), 'linux-x64') ?? '', /not an executable/);
  });

  it('reads the real node binary as one for this machine', () => {
    const target = currentTarget();
    if (target === undefined || target.startsWith('win32')) return; // node.exe is checked the same way; CI runs Linux
    const head = Buffer.alloc(65536);
    const fd = fs.openSync(process.execPath, 'r');
    const n = fs.readSync(fd, head, 0, head.length, 0);
    fs.closeSync(fd);
    const kind = readBinaryKind(head.subarray(0, n));
    assert.equal(binaryMismatch(kind, target), undefined, JSON.stringify(kind));
  });
});

/** Writes a zip the way vsce (yazl) does: Unix "made by", mode in the external attributes. */
function zip(files: { name: string; data: string; mode?: number; deflate?: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const raw = Buffer.from(f.data);
    const body = f.deflate ? zlib.deflateRawSync(raw) : raw;
    const name = Buffer.from(f.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(f.deflate ? 8 : 0, 8);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central[5] = f.mode === undefined ? 0 : 3;
    central.writeUInt16LE(f.deflate ? 8 : 0, 10);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((f.mode ?? 0) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(files.length, 8);
  eocd.writeUInt16LE(files.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

describe('listZip / readZipEntry / checkVsix', () => {
  const manifest = (target: string) => `<PackageManifest><Metadata><Identity Id="ladder-ls" TargetPlatform="${target}"/></Metadata></PackageManifest>`;
  const good = (mode: number | undefined) => [
    { name: 'extension.vsixmanifest', data: manifest('linux-x64'), mode: 0o100644, deflate: true },
    { name: 'extension/package.json', data: '{}', mode: 0o100644 },
    { name: 'extension/dist/extension.js', data: 'exports.activate=()=>{}', mode: 0o100644, deflate: true },
    { name: 'extension/server/linux-x64/ladder-ls', data: '\x7fELF', mode },
  ];

  it('lists entries with their Unix modes and reads deflated ones', () => {
    const z = zip(good(0o100755));
    const entries = listZip(z);
    assert.deepEqual(
      entries.map((e) => [e.name, e.mode]),
      good(0o100755).map((f) => [f.name, f.mode]),
    );
    assert.equal(readZipEntry(z, entries[0]).toString(), manifest('linux-x64'));
    assert.equal(readZipEntry(z, entries[3]).toString('latin1'), '\x7fELF');
    assert.throws(() => listZip(Buffer.from('not a zip at all, clearly not')), /not a zip/);
  });

  it('accepts a platform vsix and reports the mode of its binary', () => {
    assert.deepEqual(checkVsix(zip(good(0o100755)), 'linux-x64'), { problems: [], notes: ['extension/server/linux-x64/ladder-ls is stored with mode 755'] });
    const { problems, notes } = checkVsix(zip(good(undefined)), 'linux-x64');
    assert.deepEqual(problems, []);
    assert.match(notes[0], /without execute bits; the extension sets them/);
  });

  it('finds a missing binary, a wrong TargetPlatform and stray server files', () => {
    const files = good(0o100755);
    files[0] = { ...files[0], data: manifest('darwin-arm64') };
    files.push({ name: 'extension/server/darwin-arm64/ladder-ls', data: 'x', mode: 0o100755 });
    const { problems } = checkVsix(zip(files.filter((f) => f.name !== 'extension/server/linux-x64/ladder-ls')), 'linux-x64');
    assert.deepEqual(problems, [
      'extension/server/linux-x64/ladder-ls is missing',
      'unexpected files next to the server: extension/server/darwin-arm64/ladder-ls',
      'extension.vsixmanifest does not declare TargetPlatform="linux-x64"',
    ]);
  });
});
