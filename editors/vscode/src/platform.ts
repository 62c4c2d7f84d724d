// Platform targets of the bundled server, named as `vsce package --target` names them.
// Pure module: must not import `vscode` (used by the extension, the packaging script and the unit
// tests alike, so that all three agree on where the bundled binary lives).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The `vsce package --target` names a bundled `ladder-ls` can be built for (`web` has no processes). */
export const VSCODE_TARGETS = [
  'linux-x64',
  'linux-arm64',
  'linux-armhf',
  'alpine-x64',
  'alpine-arm64',
  'darwin-x64',
  'darwin-arm64',
  'win32-x64',
  'win32-arm64',
] as const;
export type VsCodeTarget = (typeof VSCODE_TARGETS)[number];

export function isVsCodeTarget(value: unknown): value is VsCodeTarget {
  return typeof value === 'string' && (VSCODE_TARGETS as readonly string[]).includes(value);
}

/**
 * The target of a machine, or `undefined` where no target exists (FreeBSD, 32-bit x86, …).
 * `musl` matters on Linux only: a glibc binary does not run on Alpine, and VS Code itself installs
 * `alpine-*` extensions there.
 */
export function hostTarget(platform: string, arch: string, musl: boolean): VsCodeTarget | undefined {
  const cpu = arch === 'x64' ? 'x64' : arch === 'arm64' ? 'arm64' : arch === 'arm' ? 'armhf' : undefined;
  if (cpu === undefined) return undefined;
  let os: string;
  if (platform === 'linux') os = musl ? 'alpine' : 'linux';
  else if (platform === 'darwin' || platform === 'win32') os = platform;
  else return undefined;
  const target = `${os}-${cpu}`;
  return isVsCodeTarget(target) ? target : undefined;
}

/**
 * Whether this Linux process runs on musl (Alpine). Like `detect-libc`: `ldd` is a script that
 * names its C library; failing that, Node's diagnostic report names the glibc version it runs on,
 * and has none under musl.
 */
export function runsOnMusl(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const ldd = fs.readFileSync('/usr/bin/ldd', 'latin1');
    if (ldd.includes('musl')) return true;
    if (ldd.includes('GNU C Library')) return false;
  } catch {
    /* no ldd: ask Node */
  }
  try {
    const report = process.report as (NodeJS.ProcessReport & { excludeNetwork?: boolean }) | undefined;
    if (report) report.excludeNetwork = true; // the network part can take seconds, and is not needed
    const header = (report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
    return header !== undefined && header.glibcVersionRuntime === undefined;
  } catch {
    return false;
  }
}

/** The target of the running process. */
export function currentTarget(): VsCodeTarget | undefined {
  return hostTarget(process.platform, process.arch, runsOnMusl());
}

/** The Rust target triple that builds `ladder-ls` for a `vsce` target (for messages and docs). */
export const RUST_TRIPLES: Readonly<Record<VsCodeTarget, string>> = {
  'linux-x64': 'x86_64-unknown-linux-gnu',
  'linux-arm64': 'aarch64-unknown-linux-gnu',
  'linux-armhf': 'armv7-unknown-linux-gnueabihf',
  'alpine-x64': 'x86_64-unknown-linux-musl',
  'alpine-arm64': 'aarch64-unknown-linux-musl',
  'darwin-x64': 'x86_64-apple-darwin',
  'darwin-arm64': 'aarch64-apple-darwin',
  'win32-x64': 'x86_64-pc-windows-msvc',
  'win32-arm64': 'aarch64-pc-windows-msvc',
};

/** `ladder-ls.exe` on Windows targets, `ladder-ls` elsewhere. */
export function binaryFileName(target: VsCodeTarget): string {
  return target.startsWith('win32-') ? 'ladder-ls.exe' : 'ladder-ls';
}

/** Folder, inside the extension, that holds one folder per bundled target. */
export const BUNDLED_DIR = 'server';

/** Where the bundled binary of `target` lives inside the extension (`server/<target>/ladder-ls`). */
export function bundledServerPath(extensionPath: string, target: VsCodeTarget): string {
  return path.join(extensionPath, BUNDLED_DIR, target, binaryFileName(target));
}
