// A total order on version strings for display and sorting (`v1.9 < v1.10`). The engine never
// uses it to decide an upgrade: success means "reported version equals the target".
//
// A string is cut into runs of ASCII digits and runs of anything else. Runs are compared left
// to right: two digit runs by numeric value (any length, no overflow), two other runs by UTF-16
// code units, and a digit run sorts before a non-digit run. A string that is a prefix of the
// other, run-wise, sorts first (`1.0 < 1.0.1`, `1.0 < 1.0-rc1`: this is not SemVer). When the
// runs tie (only possible through leading zeros, `1.01` vs `1.1`) plain code-unit order decides,
// so compareVersions(a, b) === 0 exactly when a === b.

type Run = { readonly digits: boolean; readonly text: string };

function splitRuns(value: string): Run[] {
  const runs: Run[] = [];
  for (const match of value.matchAll(/[0-9]+|[^0-9]+/g)) {
    const text = match[0];
    runs.push({ digits: text.charCodeAt(0) >= 48 && text.charCodeAt(0) <= 57, text });
  }
  return runs;
}

function compareText(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function compareDigits(a: string, b: string): -1 | 0 | 1 {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return compareText(x, y);
}

function compareRuns(a: Run, b: Run): -1 | 0 | 1 {
  if (a.digits && b.digits) return compareDigits(a.text, b.text);
  if (a.digits !== b.digits) return a.digits ? -1 : 1;
  return compareText(a.text, b.text);
}

/** Negative, zero or positive like a sort comparator; zero only for equal strings. */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  const left = splitRuns(a);
  const right = splitRuns(b);
  const shared = Math.min(left.length, right.length);
  for (let i = 0; i < shared; i++) {
    const order = compareRuns(left[i]!, right[i]!);
    if (order !== 0) return order;
  }
  if (left.length !== right.length) return left.length < right.length ? -1 : 1;
  return compareText(a, b);
}

/** A sorted copy, lowest version first. */
export function sortVersions(versions: Iterable<string>): string[] {
  return [...versions].sort(compareVersions);
}
