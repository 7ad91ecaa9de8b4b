/**
 * How `runnel configs describe` prints a resource: a table a person reads
 * (name, value, source, flags; synonyms and documentation under each row
 * when asked for) or one JSON document for scripts. Pure: strings in, a
 * string out.
 */
import type { DescribedConfig } from '@runnel/client';

export interface DescribedTarget {
  /** topic | broker | broker-defaults | broker-logger */
  readonly kind: string;
  readonly name: string;
}

function flags(c: DescribedConfig): string {
  const out: string[] = [];
  if (c.isDefault) out.push('default');
  if (c.readOnly) out.push('read-only');
  if (c.sensitive) out.push('sensitive');
  return out.join(',');
}

function title(target: DescribedTarget): string {
  switch (target.kind) {
    case 'broker-defaults':
      return 'Cluster-wide default broker configs';
    case 'broker-logger':
      return `Log levels of broker ${target.name}`;
    default:
      return `Configs for ${target.kind} ${target.name}`;
  }
}

export function configsTable(
  target: DescribedTarget,
  configs: readonly DescribedConfig[],
  options: { synonyms: boolean; documentation: boolean },
): string {
  if (configs.length === 0) return `${title(target)}: none set.\n`;
  const rows = configs.map((c) => [
    c.name,
    c.value ?? (c.sensitive ? '(hidden)' : '(null)'),
    c.source,
    c.type,
    flags(c),
  ]);
  const header = ['NAME', 'VALUE', 'SOURCE', 'TYPE', 'FLAGS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [`${title(target)}:`, line(header)];
  configs.forEach((c, i) => {
    out.push(line(rows[i] ?? []));
    if (options.synonyms) {
      for (const s of c.synonyms) out.push(`    synonym ${s.name}=${s.value ?? '(null)'} (${s.source})`);
    }
    if (options.documentation && c.documentation !== null) out.push(`    ${c.documentation}`);
  });
  return `${out.join('\n')}\n`;
}

export function configsJson(target: DescribedTarget, configs: readonly DescribedConfig[]): string {
  return `${JSON.stringify({ resource: target, configs }, null, 2)}\n`;
}
