// Reads the Prometheus text exposition format (version 0.0.4) strictly enough for tests: every
// line is a comment (# HELP, # TYPE) or a sample `name{label="value",…} number`; anything else
// throws, as a scraper would refuse it.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
  /** The one sample with this name whose labels include `labels`; throws when none or several. */
  value(name: string, labels?: Record<string, string>): number;
  /** Every sample with this name whose labels include `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/;
const labelPair = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  labelPair.lastIndex = 0;
  while (labelPair.lastIndex < text.length) {
    const match = labelPair.exec(text);
    if (!match) throw new Error(`bad labels in "${line}"`);
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function parseValue(text: string, line: string): number {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) || Number.isNaN(value))
    throw new Error(`bad value in "${line}"`);
  return value;
}

export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const [, keyword, name, rest] = line.match(/^#\s+(HELP|TYPE)\s+(\S+)\s*(.*)$/) ?? [];
      if (!keyword) continue;
      if (!metricName.test(name!)) throw new Error(`bad metric name in "${line}"`);
      if (keyword === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest!))
          throw new Error(`bad type in "${line}"`);
        if (types.has(name!)) throw new Error(`second TYPE for ${name}`);
        types.set(name!, rest!);
      }
      continue;
    }
    const match = line.match(sampleLine);
    if (!match) throw new Error(`not a sample: "${line}"`);
    samples.push({
      name: match[1]!,
      labels: match[3] ? parseLabels(match[3], line) : {},
      value: parseValue(match[4]!, line),
    });
  }
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return {
    samples,
    types,
    find,
    value(name, labels = {}) {
      const found = find(name, labels);
      if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
      return found[0]!.value;
    },
  };
}
