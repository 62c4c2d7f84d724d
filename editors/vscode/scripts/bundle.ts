// `npm run package:bundled`: a platform .vsix with ladder-ls inside (server/<target>/ladder-ls).
// scripts/package-bundled.mjs compiles this file with esbuild and calls `main`; the pure parts
// (arguments, binary formats, zip listing) are unit-tested in test/unit/bundle.test.ts.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

import { BUNDLED_DIR, binaryFileName, currentTarget, isVsCodeTarget, RUST_TRIPLES, VSCODE_TARGETS, type VsCodeTarget } from '../src/platform';

export const USAGE = `Usage: npm run package:bundled -- [TARGET] [--binary PATH] [--out FILE]

Packages the extension as a platform .vsix that holds the ladder-ls server
(server/TARGET/ladder-ls inside the extension), so that it works with nothing else installed.

  TARGET         a vsce target: ${VSCODE_TARGETS.join(', ')}
                 (also --target TARGET). Default: this machine's (${currentTarget() ?? 'none: pass one'}).
  --binary PATH  the ladder-ls binary to bundle. Without it, and only for this machine's target,
                 the script builds one with \`cargo build --release -p ladder-ls\` (honours
                 CARGO_TARGET_DIR). For any other target --binary is required: this script does not
                 cross-compile. Build ladder-ls for that target first (on such a machine, or with
                 a cross toolchain: cargo build --release --target <rust triple>) and name it here;
                 its format (ELF/Mach-O/PE, CPU, glibc or musl) is checked against TARGET.
  --out FILE     the .vsix to write (default: dist-vsix/ladder-ls-TARGET-VERSION.vsix).

Examples:
  npm run package:bundled
  npm run package:bundled -- darwin-arm64 --binary target/aarch64-apple-darwin/release/ladder-ls

Rust targets: ${VSCODE_TARGETS.map((t) => `${t} = ${RUST_TRIPLES[t]}`).join(', ')}.
`;

/** A mistake in the command line or its inputs: reported with the usage text. */
export class UsageError extends Error {}

export interface Args {
  target?: string;
  binary?: string;
  out?: string;
  help: boolean;
}

/** Parses the command line; throws an `Error` with a readable message on anything unexpected. */
export function parseArgs(argv: readonly string[]): Args {
  const args: Args = { help: false };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const take = (): string => {
      if (inline !== undefined) return inline;
      const v = value(i, flag);
      i++;
      return v;
    };
    if (flag === '--help' || flag === '-h') args.help = true;
    else if (flag === '--target') setOnce(args, 'target', take());
    else if (flag === '--binary') setOnce(args, 'binary', take());
    else if (flag === '--out') setOnce(args, 'out', take());
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else setOnce(args, 'target', a);
  }
  if (args.target !== undefined && !isVsCodeTarget(args.target)) {
    throw new UsageError(`unknown target "${args.target}": expected one of ${VSCODE_TARGETS.join(', ')}`);
  }
  return args;
}

function setOnce(args: Args, key: 'target' | 'binary' | 'out', v: string): void {
  if (args[key] !== undefined) throw new UsageError(`${key} given twice ("${args[key]}", "${v}")`);
  args[key] = v;
}

// ---- binary formats ---------------------------------------------------------------------------

/** What a binary is built for, read from its header. */
export interface BinaryKind {
  format: 'elf' | 'mach-o' | 'pe';
  cpu: 'x64' | 'arm64' | 'armhf' | 'other';
  /** ELF only: the dynamic loader it asks for (`/lib64/ld-linux-x86-64.so.2`, `/lib/ld-musl-…`); none when static. */
  interpreter?: string;
}

/** Reads a binary's format and CPU from its first bytes (64 KiB is plenty); `undefined` if none of ELF, Mach-O, PE. */
export function readBinaryKind(bytes: Uint8Array): BinaryKind | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 20 && b.readUInt32BE(0) === 0x7f454c46) {
    const is64 = b[4] === 2;
    const le = b[5] === 1;
    const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const u64 = (o: number) => Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
    const machine = u16(18);
    const cpu = machine === 0x3e ? 'x64' : machine === 0xb7 ? 'arm64' : machine === 0x28 ? 'armhf' : 'other';
    let interpreter: string | undefined;
    try {
      const phoff = is64 ? u64(32) : u32(28);
      const phentsize = u16(is64 ? 54 : 42);
      const phnum = u16(is64 ? 56 : 44);
      for (let i = 0; i < phnum; i++) {
        const ph = phoff + i * phentsize;
        if (u32(ph) !== 3) continue; // PT_INTERP
        const off = is64 ? u64(ph + 8) : u32(ph + 4);
        const size = is64 ? u64(ph + 32) : u32(ph + 16);
        interpreter = b.subarray(off, off + size).toString('latin1').replace(/\0+$/, '');
      }
    } catch {
      /* program headers beyond the bytes read: leave the interpreter unknown */
    }
    return { format: 'elf', cpu, interpreter };
  }
  if (b.length >= 8 && (b.readUInt32LE(0) === 0xfeedfacf || b.readUInt32LE(0) === 0xfeedface)) {
    const cputype = b.readUInt32LE(4);
    return { format: 'mach-o', cpu: cputype === 0x01000007 ? 'x64' : cputype === 0x0100000c ? 'arm64' : 'other' };
  }
  if (b.length >= 0x40 && b.toString('latin1', 0, 2) === 'MZ') {
    const pe = b.readUInt32LE(0x3c);
    if (pe + 6 <= b.length && b.readUInt32BE(pe) === 0x50450000) {
      const machine = b.readUInt16LE(pe + 4);
      return { format: 'pe', cpu: machine === 0x8664 ? 'x64' : machine === 0xaa64 ? 'arm64' : 'other' };
    }
  }
  return undefined;
}

/** Why `kind` cannot run on `target`, or `undefined` when it fits. */
export function binaryMismatch(kind: BinaryKind | undefined, target: VsCodeTarget): string | undefined {
  const [os, cpu] = target.split('-') as [string, BinaryKind['cpu']];
  const format = os === 'win32' ? 'pe' : os === 'darwin' ? 'mach-o' : 'elf';
  const names = { elf: 'an ELF (Linux)', 'mach-o': 'a Mach-O (macOS)', pe: 'a PE (Windows)' } as const;
  if (kind === undefined) return `it is not an executable (neither ELF, Mach-O nor PE); ${target} needs ${names[format]} binary`;
  if (kind.format !== format) return `it is ${names[kind.format]} binary; ${target} needs ${names[format]} binary`;
  if (kind.cpu !== cpu) return `it is built for ${kind.cpu === 'other' ? 'another CPU' : kind.cpu}; ${target} needs ${cpu}`;
  if (format === 'elf' && kind.interpreter !== undefined) {
    const musl = kind.interpreter.includes('ld-musl');
    if (os === 'alpine' && !musl) return `it is linked against glibc (${kind.interpreter}), which Alpine lacks: build it for musl`;
    if (os === 'linux' && musl) return `it is linked against musl (${kind.interpreter}); use the alpine-${cpu} target for it`;
  }
  return undefined;
}

// ---- zip (vsix) reading -----------------------------------------------------------------------

export interface ZipEntry {
  name: string;
  /** Unix mode from the entry's external attributes; `undefined` when the zip was not made on Unix. */
  mode?: number;
  method: number;
  compressedSize: number;
  localHeaderOffset: number;
}

/** Lists a zip's entries from its central directory (no zip64: a .vsix stays far below 4 GiB). */
export function listZip(zip: Buffer): ZipEntry[] {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`);
    const madeOnUnix = zip[p + 5] === 3;
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const external = zip.readUInt32LE(p + 38);
    entries.push({
      name: zip.toString('utf8', p + 46, p + 46 + nameLen),
      mode: madeOnUnix ? external >>> 16 : undefined,
      method: zip.readUInt16LE(p + 10),
      compressedSize: zip.readUInt32LE(p + 20),
      localHeaderOffset: zip.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** The uncompressed content of one entry (stored or deflated). */
export function readZipEntry(zip: Buffer, entry: ZipEntry): Buffer {
  const h = entry.localHeaderOffset;
  if (zip.readUInt32LE(h) !== 0x04034b50) throw new Error(`bad local header for ${entry.name}`);
  const start = h + 30 + zip.readUInt16LE(h + 26) + zip.readUInt16LE(h + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return Buffer.from(data);
  if (entry.method === 8) return zlib.inflateRawSync(data);
  throw new Error(`${entry.name}: unsupported compression method ${entry.method}`);
}

/** Checks a packaged platform .vsix; returns the problems found (empty: fine) and notes. */
export function checkVsix(zip: Buffer, target: VsCodeTarget): { problems: string[]; notes: string[] } {
  const problems: string[] = [];
  const notes: string[] = [];
  const entries = listZip(zip);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const binary = `extension/${BUNDLED_DIR}/${target}/${binaryFileName(target)}`;
  for (const required of ['extension/package.json', 'extension/dist/extension.js', binary]) {
    if (!byName.has(required)) problems.push(`${required} is missing`);
  }
  const strays = entries.filter((e) => e.name.startsWith(`extension/${BUNDLED_DIR}/`) && e.name !== binary);
  if (strays.length > 0) problems.push(`unexpected files next to the server: ${strays.map((e) => e.name).join(', ')}`);
  const manifest = byName.get('extension.vsixmanifest');
  if (!manifest) problems.push('extension.vsixmanifest is missing');
  else if (!readZipEntry(zip, manifest).toString('utf8').includes(`TargetPlatform="${target}"`)) {
    problems.push(`extension.vsixmanifest does not declare TargetPlatform="${target}"`);
  }
  const entry = byName.get(binary);
  if (entry && !target.startsWith('win32-')) {
    if (entry.mode === undefined || (entry.mode & 0o111) === 0) {
      notes.push(`${binary} is stored without execute bits; the extension sets them when it starts`);
    } else notes.push(`${binary} is stored with mode ${(entry.mode & 0o7777).toString(8)}`);
  }
  return { problems, notes };
}

// ---- the packaging run ------------------------------------------------------------------------

function run(cmd: string, args: string[], opts: { cwd: string; capture?: boolean }): string {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, stdio: opts.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  return r.stdout ?? '';
}

/** `cargo build --release -p ladder-ls` in the repository; returns the binary's path (CARGO_TARGET_DIR honoured). */
function buildRelease(repo: string, target: VsCodeTarget): string {
  if (!fs.existsSync(path.join(repo, 'Cargo.toml'))) {
    throw new UsageError(`no Cargo.toml in ${repo}: run this from the ladder-ls repository, or pass --binary PATH`);
  }
  console.log('==> cargo build --release -p ladder-ls (a few minutes the first time)');
  run('cargo', ['build', '--release', '-p', 'ladder-ls'], { cwd: repo });
  // `cargo metadata` answers with the target directory cargo really used (CARGO_TARGET_DIR, .cargo/config).
  const meta = JSON.parse(run('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: repo, capture: true })) as { target_directory: string };
  return path.join(meta.target_directory, 'release', binaryFileName(target));
}

/** Runs the whole packaging; returns the .vsix written. `root` is the extension's folder. */
export function packageBundled(argv: readonly string[], root: string): string | undefined {
  const args = parseArgs(argv);
  if (args.help) {
    console.log(USAGE);
    return undefined;
  }
  const host = currentTarget();
  const target = (args.target ?? host) as VsCodeTarget | undefined;
  if (target === undefined) throw new UsageError(`this machine (${process.platform}-${process.arch}) has no vsce target: name one`);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  const out = path.resolve(root, args.out ?? path.join('dist-vsix', `${pkg.name}-${target}-${pkg.version}.vsix`));
  const vsce = path.join(root, 'node_modules/@vscode/vsce/vsce');
  if (!fs.existsSync(vsce)) throw new UsageError(`${vsce} is missing: run \`npm ci\` in ${root} first`);

  let binary: string;
  if (args.binary !== undefined) binary = path.resolve(args.binary);
  else if (target === host) binary = buildRelease(path.resolve(root, '../..'), target);
  else {
    throw new UsageError(
      `cannot build ladder-ls for ${target} on this ${host ?? process.platform} machine (this script does not cross-compile): ` +
        `build it for ${target} first — Rust target ${RUST_TRIPLES[target]}, e.g. \`cargo build --release -p ladder-ls --target ${RUST_TRIPLES[target]}\` ` +
        `on a machine that can — and pass --binary PATH`,
    );
  }
  if (!fs.statSync(binary, { throwIfNoEntry: false })?.isFile()) throw new UsageError(`--binary ${binary}: no such file`);
  const head = Buffer.alloc(65536);
  const fd = fs.openSync(binary, 'r');
  const n = fs.readSync(fd, head, 0, head.length, 0);
  fs.closeSync(fd);
  const mismatch = binaryMismatch(readBinaryKind(head.subarray(0, n)), target);
  if (mismatch) throw new UsageError(`${binary} cannot run on ${target}: ${mismatch}`);
  if (target === host) {
    // It runs here: make sure it is ladder-ls, not some other program of the right format.
    const version = run(binary, ['--version'], { cwd: root, capture: true }).trim();
    if (!/^ladder-ls \d/.test(version)) throw new UsageError(`${binary} --version answered "${version}", not "ladder-ls <version>"`);
    console.log(`==> bundling ${binary} (${version}) for ${target}`);
  } else {
    console.log(`==> bundling ${binary} for ${target} (format checked; it cannot run here)`);
  }

  const staging = path.join(root, BUNDLED_DIR);
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    const dest = path.join(staging, target, binaryFileName(target));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(binary, dest);
    fs.chmodSync(dest, 0o755);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.rmSync(out, { force: true });
    console.log(`==> vsce package --target ${target}`);
    run(process.execPath, [vsce, 'package', '--no-dependencies', '--target', target, '--out', out], { cwd: root });
  } finally {
    // Never leave the binary where a later universal `vsce package` would pick it up.
    fs.rmSync(staging, { recursive: true, force: true });
  }
  const { problems, notes } = checkVsix(fs.readFileSync(out), target);
  for (const note of notes) console.log(`    ${note}`);
  if (problems.length > 0) throw new Error(`${out} is not right:\n  ${problems.join('\n  ')}`);
  console.log(`==> ${path.relative(process.cwd(), out) || out} (${(fs.statSync(out).size / 1048576).toFixed(1)} MiB)`);
  console.log(`    install it with: code --install-extension ${out}`);
  return out;
}

/** Entry point for scripts/package-bundled.mjs: exit status 0 ok, 1 failure, 2 bad usage. */
export function main(argv: readonly string[], root: string): number {
  try {
    packageBundled(argv, root);
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`package:bundled: ${message}`);
    if (err instanceof UsageError) {
      console.error(`\n${USAGE}`);
      return 2;
    }
    return 1;
  }
}
