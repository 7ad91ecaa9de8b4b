/**
 * Reading a process's JSON log output as text, for checks that JSON.parse
 * cannot make: it keeps only the last of two equal keys, so a line that
 * holds a key twice parses fine and looks right.
 */

/** Keys that occur more than once in the same object of one JSON text, at any depth; [] when none. */
export function duplicateKeys(json: string): string[] {
  const duplicates = new Set<string>();
  // One entry per open bracket: the keys seen so far for an object, null for an array.
  const open: (Set<string> | null)[] = [];
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      const end = closingQuote(json, i);
      const keys = open[open.length - 1];
      let next = end + 1;
      while (json[next] === ' ' || json[next] === '\t') next++;
      if (keys !== undefined && keys !== null && json[next] === ':') {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (keys.has(key)) duplicates.add(key);
        keys.add(key);
      }
      i = end;
    } else if (c === '{') open.push(new Set());
    else if (c === '[') open.push(null);
    else if (c === '}' || c === ']') open.pop();
  }
  return [...duplicates];
}

function closingQuote(json: string, start: number): number {
  for (let i = start + 1; i < json.length; i++) {
    if (json[i] === '\\') i++;
    else if (json[i] === '"') return i;
  }
  throw new Error(`unterminated string in ${json}`);
}

/** The lines of `output` that are JSON objects (log lines), leaving out anything else a process printed. */
export function jsonLines(output: string): string[] {
  return output.split('\n').filter((line) => line.startsWith('{'));
}
