// Finding the ladder-ls binary. Pure module: must not import `vscode`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const BINARY_NAME = 'ladder-ls';

export interface ResolveInput {
  /** `ladder.serverPath` (empty/undefined: not set). */
  configured?: string | null;
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
  | { ok: true; path: string; source: 'setting' | 'path' }
  | { ok: false; reason: 'configured-missing'; configured: string; expanded: string; message: string }
  | { ok: false; reason: 'not-found'; message: string };

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

export const INSTALL_HINT =
  'Install it from the ladder-ls repository with `cargo install --path server` (puts `ladder-ls` in ~/.cargo/bin), ' +
  'then put it on PATH or set `ladder.serverPath`.';

export function resolveServerBinary(input: ResolveInput = {}): ResolveResult {
  const env = input.env ?? process.env;
  const platform = input.platform ?? process.platform;
  const isExecutable = input.isExecutable ?? defaultIsExecutable;
  const configured = (input.configured ?? '').trim();

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
      message: `Ladder: ladder.serverPath is set to "${configured}"${expanded !== configured ? ` (${expanded})` : ''}, but no executable is there. ${INSTALL_HINT}`,
    };
  }

  const found = findOnPath(BINARY_NAME, env, platform, isExecutable);
  if (found) return { ok: true, path: found, source: 'path' };
  return {
    ok: false,
    reason: 'not-found',
    message: `Ladder: the \`ladder-ls\` language server was not found on PATH. ${INSTALL_HINT}`,
  };
}
