// Status bar text for a file's level. Pure module: must not import `vscode`.

/** Result of `workspace/executeCommand` `ladder.showLevel`. */
export interface ShowLevelResult {
  uri: string;
  level: number | null;
  label: string;
  next: string | null;
  gatesVerified: boolean;
  /** The file's target level (`null` from servers that predate targets). */
  target: number | null;
  /** Blocking findings at levels up to the target. */
  targetBlockers: number;
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
    target: typeof v.target === 'number' && Number.isInteger(v.target) && v.target >= 0 && v.target <= 7 ? v.target : null,
    targetBlockers: typeof v.targetBlockers === 'number' && Number.isInteger(v.targetBlockers) && v.targetBlockers >= 0 ? v.targetBlockers : 0,
  };
}

/** `Ladder L2 → target L3: 2 blockers`, `Ladder L4 · target L3 reached`, or `Ladder L4` without a target. */
export function statusText(result: ShowLevelResult): string {
  const head = `Ladder ${result.label}`;
  if (result.target === null) return head;
  if (result.level !== null && result.level >= result.target) return `${head} · target L${result.target} reached`;
  const n = result.targetBlockers;
  return `${head} → target L${result.target}: ${n} blocker${n === 1 ? '' : 's'}`;
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
  if (result.target !== null) lines.push(`Findings above L${result.target} (the file's target) show as hints.`);
  return {
    text: statusText(result),
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
