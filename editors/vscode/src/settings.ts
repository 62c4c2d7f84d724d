// Settings → initializationOptions / workspace/configuration answers.
// Pure module: must not import `vscode` (unit-tested under plain node).

export const SEVERITIES = ['off', 'error', 'warning', 'info', 'hint'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A rule setting: a bare severity, or an object with an optional severity and rule options. */
export type RuleSetting = Severity | ({ severity?: Severity } & Record<string, unknown>);

export interface MixOptions {
  enabled: boolean;
  env: string;
  timeoutMs: number;
}

/** What the server receives as `initializationOptions` and for `workspace/configuration` section `ladder`. */
/** What the editor does with findings above a file's target level. */
export const ABOVE_TARGET = ['hint', 'off', 'asIs'] as const;
export type AboveTarget = (typeof ABOVE_TARGET)[number];

export interface InitializationOptions {
  targetLevel: number | null;
  aboveTarget: AboveTarget;
  rules: Record<string, RuleSetting>;
  mix: MixOptions;
}

export const DEFAULT_MIX: Readonly<MixOptions> = Object.freeze({
  enabled: false,
  env: 'test',
  timeoutMs: 300_000,
});

/** Reads one setting below `ladder.` (e.g. `mix.enabled`); `undefined` when unset. */
export type SettingGetter = (key: string) => unknown;

export interface BuildResult {
  options: InitializationOptions;
  /** Human-readable notes about ignored or corrected values, for the output channel. */
  warnings: string[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

function normalizeTargetLevel(value: unknown, warnings: string[]): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 7) return n;
  warnings.push(`ladder.targetLevel: expected an integer 0–7 or null, got ${JSON.stringify(value)}; ignored`);
  return null;
}

function normalizeAboveTarget(value: unknown, warnings: string[]): AboveTarget {
  if (value === undefined || value === null || value === '') return 'hint';
  if (typeof value === 'string' && (ABOVE_TARGET as readonly string[]).includes(value)) return value as AboveTarget;
  warnings.push(`ladder.aboveTarget: expected one of ${ABOVE_TARGET.join(', ')}, got ${JSON.stringify(value)}; using "hint"`);
  return 'hint';
}

function normalizeRules(value: unknown, warnings: string[]): Record<string, RuleSetting> {
  const rules: Record<string, RuleSetting> = {};
  if (value === undefined || value === null) return rules;
  if (!isPlainObject(value)) {
    warnings.push(`ladder.rules: expected an object, got ${JSON.stringify(value)}; ignored`);
    return rules;
  }
  for (const [code, setting] of Object.entries(value)) {
    if (isSeverity(setting)) {
      rules[code] = setting;
    } else if (typeof setting === 'string' && isSeverity(setting.toLowerCase())) {
      rules[code] = setting.toLowerCase() as Severity;
    } else if (isPlainObject(setting)) {
      const copy: Record<string, unknown> = { ...setting };
      if ('severity' in copy) {
        const sev = typeof copy.severity === 'string' ? copy.severity.toLowerCase() : copy.severity;
        if (isSeverity(sev)) {
          copy.severity = sev;
        } else {
          warnings.push(`ladder.rules.${code}.severity: expected one of ${SEVERITIES.join(', ')}, got ${JSON.stringify(copy.severity)}; ignored`);
          delete copy.severity;
        }
      }
      rules[code] = copy as RuleSetting;
    } else {
      warnings.push(`ladder.rules.${code}: expected a severity (${SEVERITIES.join(', ')}) or an object, got ${JSON.stringify(setting)}; ignored`);
    }
  }
  return rules;
}

function normalizeMix(get: SettingGetter, trusted: boolean, warnings: string[]): MixOptions {
  const mix: MixOptions = { ...DEFAULT_MIX };
  const enabled = get('mix.enabled');
  if (typeof enabled === 'boolean') mix.enabled = enabled;
  else if (enabled !== undefined && enabled !== null) warnings.push(`ladder.mix.enabled: expected a boolean, got ${JSON.stringify(enabled)}; using false`);

  const env = get('mix.env');
  if (typeof env === 'string' && env.trim() !== '') mix.env = env.trim();
  else if (env !== undefined && env !== null && env !== '') warnings.push(`ladder.mix.env: expected a string, got ${JSON.stringify(env)}; using "test"`);

  const timeout = get('mix.timeoutMs');
  if (typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0) mix.timeoutMs = Math.round(timeout);
  else if (timeout !== undefined && timeout !== null) warnings.push(`ladder.mix.timeoutMs: expected a positive number, got ${JSON.stringify(timeout)}; using ${DEFAULT_MIX.timeoutMs}`);

  if (!trusted && mix.enabled) {
    mix.enabled = false;
    warnings.push('ladder.mix.enabled: forced off because the workspace is not trusted (mix would run the project\'s code)');
  }
  return mix;
}

/**
 * Builds the server options from the `ladder.*` settings.
 * Mix gates are forced off when the workspace is not trusted.
 */
export function buildInitializationOptions(get: SettingGetter, trusted: boolean): BuildResult {
  const warnings: string[] = [];
  const options: InitializationOptions = {
    targetLevel: normalizeTargetLevel(get('targetLevel'), warnings),
    aboveTarget: normalizeAboveTarget(get('aboveTarget'), warnings),
    rules: normalizeRules(get('rules'), warnings),
    mix: normalizeMix(get, trusted, warnings),
  };
  return { options, warnings };
}

/**
 * Answer for one `workspace/configuration` item. `section` is `ladder` or a dotted path below it
 * (`ladder.mix`, `ladder.mix.enabled`); returns `undefined` for any other section so that the
 * caller can fall back to VS Code's own answer.
 */
export function configurationItem(section: string | undefined, options: InitializationOptions): unknown {
  if (section === undefined) return undefined;
  if (section === 'ladder') return options;
  if (!section.startsWith('ladder.')) return undefined;
  let current: unknown = options;
  for (const part of section.slice('ladder.'.length).split('.')) {
    if (!isPlainObject(current) || !(part in current)) return null;
    current = current[part];
  }
  return current;
}

/** The settings whose change requires a server restart (trace is handled live by the client). */
export const RESTART_SECTIONS = ['ladder.serverPath', 'ladder.importStrategy', 'ladder.targetLevel', 'ladder.aboveTarget', 'ladder.rules', 'ladder.mix'] as const;
