// Rounds of one benchmark: the RESULT lines of each, their medians and spread, and the bench's
// aims checked against the medians (bench/run.ts).

/** An aim on one RESULT key: at least `min`, or at most `max`. */
export interface Aim {
  min?: number;
  max?: number;
  /** What the figure is, for the printed line. */
  what: string;
}
export type Aims = Record<string, Aim>;

export type ResultValues = Map<string, string>;

export function parseResult(line: string): ResultValues {
  const values = new Map<string, string>();
  for (const field of line.trim().split(/\s+/).slice(2)) {
    const at = field.indexOf('=');
    if (at > 0) values.set(field.slice(0, at), field.slice(at + 1));
  }
  return values;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** As many decimals as the rounds printed. */
function decimalsOf(texts: readonly string[]): number {
  return Math.max(0, ...texts.map((t) => (t.includes('.') ? t.length - t.indexOf('.') - 1 : 0)));
}

export function summarizeRounds(
  name: string,
  rounds: readonly ResultValues[],
): { values: Map<string, number[]>; spread: string; result: string } {
  const keys = [...new Set(rounds.flatMap((r) => [...r.keys()]))];
  const values = new Map<string, number[]>();
  const spread: string[] = [];
  const result: string[] = [];
  for (const key of keys) {
    const texts = rounds.map((r) => r.get(key)).filter((t): t is string => t !== undefined);
    const numbers = texts.map(Number);
    if (numbers.some((n) => Number.isNaN(n))) {
      // Not a figure: the same in every round, or all of them listed.
      const distinct = [...new Set(texts)];
      result.push(`${key}=${distinct.join('|')}`);
      continue;
    }
    values.set(key, numbers);
    const digits = decimalsOf(texts);
    const low = Math.min(...numbers).toFixed(digits);
    const high = Math.max(...numbers).toFixed(digits);
    spread.push(`${key}=${low}..${high}`);
    result.push(`${key}=${median(numbers).toFixed(digits)}`);
  }
  return { values, spread: spread.join(' '), result: `RESULT ${name} ${result.join(' ')}` };
}

export function checkAims(aims: Aims, values: Map<string, number[]>): string[] {
  return Object.entries(aims).map(([key, aim]) => {
    const rounds = values.get(key);
    const bound = aim.min !== undefined ? `>= ${aim.min}` : `<= ${aim.max}`;
    if (!rounds) return `aim ${key} ${bound} (${aim.what}): not measured`;
    const m = median(rounds);
    const met = (aim.min === undefined || m >= aim.min) && (aim.max === undefined || m <= aim.max);
    const show = (n: number) => String(Number(n.toPrecision(4)));
    const range = `${show(Math.min(...rounds))}..${show(Math.max(...rounds))}`;
    return `aim ${key} ${bound} (${aim.what}): median ${show(m)} (rounds ${range}) ${met ? 'met' : 'MISSED'}`;
  });
}
