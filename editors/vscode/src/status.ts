// Status bar text for a file's level. Pure module: must not import `vscode`.

/** Result of `workspace/executeCommand` `ladder.showLevel`. */
export interface ShowLevelResult {
  uri: string;
  level: number | null;
  label: string;
  next: string | null;
  gatesVerified: boolean;
}

export interface StatusView {
  text: string;
  tooltip: string;
  /** `true` when the item should draw attention (error/warning background). */
  warning: boolean;
}

export const NOT_VERIFIED_NOTE = 'L0–L3 not verified (mix gates off)';

/** Validates an untyped server answer; returns `undefined` when it is not a ShowLevelResult. */
export function parseShowLevelResult(value: unknown): ShowLevelResult | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const level = v.level;
  if (!(level === null || level === undefined || (typeof level === 'number' && Number.isInteger(level) && level >= 0))) {
    return undefined;
  }
  const lvl = typeof level === 'number' ? level : null;
  const label = typeof v.label === 'string' && v.label.trim() !== '' ? v.label.trim() : levelLabel(lvl);
  return {
    uri: typeof v.uri === 'string' ? v.uri : '',
    level: lvl,
    label,
    next: typeof v.next === 'string' && v.next.trim() !== '' ? v.next.trim() : null,
    gatesVerified: v.gatesVerified === true,
  };
}

export function levelLabel(level: number | null): string {
  return level === null ? 'L–' : `L${level}`;
}

export function formatStatus(result: ShowLevelResult): StatusView {
  const lines: string[] = [];
  if (result.next) lines.push(result.next);
  else if (result.level === null) lines.push('Not even L0 passes: fix the errors first.');
  else lines.push('Top of the ladder: nothing left to climb.');
  if (!result.gatesVerified) lines.push(NOT_VERIFIED_NOTE);
  return {
    text: `Ladder ${result.label}`,
    tooltip: lines.join('\n'),
    warning: result.level === null,
  };
}

export function formatStarting(): StatusView {
  return { text: 'Ladder $(sync~spin)', tooltip: 'ladder-ls is starting…', warning: false };
}

export function formatMissingServer(message: string): StatusView {
  return { text: 'Ladder $(error) no server', tooltip: `${message}\nClick to show the output.`, warning: true };
}

export function formatError(message: string): StatusView {
  return { text: 'Ladder L?', tooltip: `Could not get the level: ${message}`, warning: false };
}
