// Finding the ladder-ls binary. Pure module: must not import `vscode`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { BUNDLED_DIR, bundledServerPath, type VsCodeTarget } from './platform';

export const BINARY_NAME = 'ladder-ls';

/**
 * `ladder.importStrategy`, named after ruff's setting of the same name: which `ladder-ls` runs
 * when `ladder.serverPath` is empty.
 */
export const IMPORT_STRATEGIES = ['useBundled', 'fromEnvironment'] as const;
export type ImportStrategy = (typeof IMPORT_STRATEGIES)[number];

/** Reads `ladder.importStrategy`; anything unknown falls back to `useBundled`, with a warning. */
export function normalizeImportStrategy(value: unknown): { strategy: ImportStrategy; warning?: string } {
  if (value === undefined || value === null || value === '') return { strategy: 'useBundled' };
  if (typeof value === 'string' && (IMPORT_STRATEGIES as readonly string[]).includes(value)) return { strategy: value as ImportStrategy };
  return {
    strategy: 'useBundled',
    warning: `ladder.importStrategy: expected one of ${IMPORT_STRATEGIES.join(', ')}, got ${JSON.stringify(value)}; using "useBundled"`,
  };
}

export interface ResolveInput {
  /** `ladder.serverPath` (empty/undefined: not set). */
  configured?: string | null;
  /** `ladder.importStrategy` (default `useBundled`). */
  importStrategy?: ImportStrategy;
  /** The installed extension's folder, which holds `server/<target>/ladder-ls` in a platform `.vsix`. */
  extensionPath?: string;
  /** This machine's `vsce` target (`linux-x64`, …); `undefined` where there is none. */
  target?: VsCodeTarget;
  /** Whether `file` exists as a regular file (the bundled binary may have lost its mode bits). */
  isFile?: (file: string) => boolean;
  /** Lists a folder's entries, `[]` when it does not exist (to name the targets a `.vsix` holds). */
  listDir?: (dir: string) => string[];
  /** Workspace folder paths, first one used for `${workspaceFolder}` and relative paths. */
  workspaceFolders?: readonly string[];
  /** Environment (PATH, PATHEXT, HOME). Defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  /** Whether `file` exists and is an executable regular file. */
  isExecutable?: (file: string) => boolean;
  homedir?: string;
}

export type ResolveResult =
  | { ok: true; path: string; source: 'setting' | 'path' | 'bundled' }
  | { ok: false; reason: 'configured-missing'; configured: string; expanded: string; message: string }
  | { ok: false; reason: 'no-bundled' | 'not-found'; message: string };

/** Where a resolved binary came from, for the output channel. */
export function describeSource(source: 'setting' | 'path' | 'bundled'): string {
  return source === 'setting' ? 'ladder.serverPath' : source === 'path' ? 'PATH (ladder.importStrategy: fromEnvironment)' : 'bundled with the extension';
}

export function defaultIsFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function defaultListDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Makes `file` executable by its owner, group and others where it is not: a `.vsix` is a zip, and
 * an unzipper may drop the mode bits of the bundled binary. Returns whether it changed anything;
 * throws (with the path in the message) when it cannot.
 */
export function ensureExecutable(file: string, platform: NodeJS.Platform = process.platform): boolean {
  if (platform === 'win32') return false;
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return false;
  } catch {
    /* not executable: fix below */
  }
  try {
    fs.chmodSync(file, fs.statSync(file).mode | 0o755);
  } catch (err) {
    throw new Error(`cannot make the bundled server executable (${file}): ${err instanceof Error ? err.message : String(err)}`);
  }
  return true;
}

export function defaultIsExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    if (process.platform === 'win32') return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Expands `~`, `${workspaceFolder}`, `${userHome}` and `${env:NAME}`; resolves relative paths. */
export function expandServerPath(
  configured: string,
  opts: { workspaceFolders?: readonly string[]; env?: Record<string, string | undefined>; homedir?: string; platform?: NodeJS.Platform },
): string {
  const home = opts.homedir ?? os.homedir();
  const env = opts.env ?? process.env;
  const folder = opts.workspaceFolders?.[0];
  const p = (opts.platform ?? process.platform) === 'win32' ? path.win32 : path.posix;
  let s = configured.trim();
  s = s.replace(/\$\{(workspaceFolder|userHome|env:([A-Za-z_][A-Za-z0-9_]*))\}/g, (whole, name: string, envName?: string) => {
    if (name === 'workspaceFolder') return folder ?? whole;
    if (name === 'userHome') return home;
    return env[envName!] ?? '';
  });
  if (s === '~') s = home;
  else if (s.startsWith('~/') || s.startsWith('~\\')) s = p.join(home, s.slice(2));
  if (!p.isAbsolute(s) && folder && (s.includes('/') || s.includes('\\'))) s = p.resolve(folder, s);
  return s;
}

/** Looks `name` up on PATH (with PATHEXT on Windows). */
export function findOnPath(
  name: string,
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform,
  isExecutable: (file: string) => boolean,
): string | undefined {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const pathVar = env.PATH ?? env.Path ?? '';
  const exts = platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean)] : [''];
  for (const dir of pathVar.split(platform === 'win32' ? ';' : ':')) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = p.join(dir, name + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** How to get a server when the extension has none to run. */
export const INSTALL_HINT =
  'Install the platform .vsix that bundles it (`npm run package:bundled` in editors/vscode), ' +
  'or build it with `cargo install --path server` (puts `ladder-ls` in ~/.cargo/bin) and set ' +
  '`ladder.importStrategy` to "fromEnvironment" or `ladder.serverPath` to it.';

/**
 * Picks the `ladder-ls` to run: `ladder.serverPath` when set (and only it: a wrong path is an
 * error, not a reason to run another binary), else the one bundled with the extension, else —
 * only with `ladder.importStrategy: "fromEnvironment"` — the one on PATH. `fromEnvironment` tries
 * PATH first and falls back to the bundled binary, like ruff's setting of the same name.
 */
export function resolveServerBinary(input: ResolveInput = {}): ResolveResult {
  const env = input.env ?? process.env;
  const platform = input.platform ?? process.platform;
  const isExecutable = input.isExecutable ?? defaultIsExecutable;
  const isFile = input.isFile ?? defaultIsFile;
  const configured = (input.configured ?? '').trim();
  const strategy = input.importStrategy ?? 'useBundled';

  if (configured !== '') {
    const expanded = expandServerPath(configured, {
      workspaceFolders: input.workspaceFolders,
      env,
      homedir: input.homedir,
      platform,
    });
    const p = platform === 'win32' ? path.win32 : path.posix;
    // A bare name ("ladder-ls") in the setting is looked up on PATH.
    if (!p.isAbsolute(expanded) && !expanded.includes('/') && !expanded.includes('\\')) {
      const found = findOnPath(expanded, env, platform, isExecutable);
      if (found) return { ok: true, path: found, source: 'setting' };
    } else if (isExecutable(expanded)) {
      return { ok: true, path: expanded, source: 'setting' };
    }
    return {
      ok: false,
      reason: 'configured-missing',
      configured,
      expanded,
      message:
        `Ladder: ladder.serverPath is set to "${configured}"${expanded !== configured ? ` (${expanded})` : ''}, but no executable is there. ` +
        'Clear the setting to use the server bundled with the extension, or point it at a `ladder-ls` binary (`cargo install --path server` puts one in ~/.cargo/bin).',
    };
  }

  const bundled = input.extensionPath !== undefined && input.target !== undefined ? bundledServerPath(input.extensionPath, input.target) : undefined;
  const hasBundled = bundled !== undefined && isFile(bundled);
  const onPath = () => findOnPath(BINARY_NAME, env, platform, isExecutable);

  if (strategy === 'fromEnvironment') {
    const found = onPath();
    if (found) return { ok: true, path: found, source: 'path' };
    if (hasBundled) return { ok: true, path: bundled, source: 'bundled' };
    return {
      ok: false,
      reason: 'not-found',
      message: `Ladder: \`ladder-ls\` was not found on PATH (ladder.importStrategy is "fromEnvironment") and ${noBundledReason(input)}. ${INSTALL_HINT}`,
    };
  }

  if (hasBundled) return { ok: true, path: bundled, source: 'bundled' };
  const found = onPath();
  return {
    ok: false,
    reason: 'no-bundled',
    message:
      `Ladder: ${noBundledReason(input)}. ` +
      (found
        ? `A \`ladder-ls\` is on PATH (${found}): set \`ladder.importStrategy\` to "fromEnvironment" to use it. `
        : '') +
      INSTALL_HINT,
  };
}

/** Why there is no bundled binary: wrong target, a universal `.vsix`, or an unknown platform. */
function noBundledReason(input: ResolveInput): string {
  if (input.target === undefined) return 'no bundled `ladder-ls` exists for this platform';
  if (input.extensionPath === undefined) return `this extension bundles no \`ladder-ls\` for ${input.target}`;
  const dir = path.join(input.extensionPath, BUNDLED_DIR);
  const others = (input.listDir ?? defaultListDir)(dir).filter((d) => d !== input.target);
  if (others.length > 0) return `this .vsix bundles \`ladder-ls\` for ${others.join(', ')}, not for this machine (${input.target})`;
  return `this .vsix bundles no \`ladder-ls\` (it was packaged without one; this machine needs the ${input.target} .vsix)`;
}
