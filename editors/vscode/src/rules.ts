// Parsing `ladder-ls rules` output. Pure module: must not import `vscode`.

export interface RuleRow {
  code: string;
  /** The rest of the row (level, severity, fixable, summary), whitespace-collapsed. */
  detail: string;
  /** `L4` etc. when a level column could be recognised. */
  level?: string;
  /** The last column, usually the summary. */
  summary?: string;
}

const CODE = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;
const HEADER_WORDS = new Set(['code', 'rule', 'rules', 'name']);

/**
 * Parses the human table printed by `ladder-ls rules`. The first column of each row is the rule
 * code; header lines, separators (`---`, `═══`, `|---|`) and summary lines are skipped. Works with
 * whitespace-aligned tables and with `|`/`│` delimited ones.
 */
export function parseRulesTable(output: string): RuleRow[] {
  const rows: RuleRow[] = [];
  const seen = new Set<string>();
  for (const raw of output.split(/\r?\n/)) {
    // Strip ANSI colours.
    // eslint-disable-next-line no-control-regex
    const line = raw.replace(/\u001b\[[0-9;]*m/g, '').trim();
    if (line === '' || /^[-=+|│┃─━┼╋┌┐└┘├┤┬┴╭╮╯╰:\s]+$/.test(line)) continue;
    let cells: string[];
    if (/^[|│┃]/.test(line) || /\s[|│┃]\s/.test(line)) {
      cells = line.split(/[|│┃]/).map((c) => c.trim()).filter((c) => c !== '');
    } else {
      cells = line.split(/\s{2,}|\t/).map((c) => c.trim()).filter((c) => c !== '');
      if (cells.length === 1) cells = line.split(/\s+/);
    }
    if (cells.length === 0) continue;
    const code = cells[0].replace(/^`|`$/g, '');
    if (!CODE.test(code) || HEADER_WORDS.has(code.toLowerCase())) continue;
    if (seen.has(code)) continue;
    seen.add(code);
    const rest = cells.slice(1);
    const levelCell = rest.find((c) => /^L?[0-7]$/.test(c));
    rows.push({
      code,
      detail: rest.join('  ').replace(/\s+/g, ' ').trim(),
      level: levelCell ? (levelCell.startsWith('L') ? levelCell : `L${levelCell}`) : undefined,
      summary: rest.length > 1 ? rest[rest.length - 1] : undefined,
    });
  }
  return rows;
}

/** Trailing-edge debounce. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): ((...args: A) => void) & { cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const wrapped = (...args: A) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      fn(...args);
    }, ms);
  };
  wrapped.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return wrapped;
}
