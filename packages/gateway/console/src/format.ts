/** How the console writes numbers, sizes, rates and durations. */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : integer.format(value);
}

export function formatBytes(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? integer.format(scaled) : decimal.format(scaled)} ${units[unit]}`;
}

export function formatRate(value: number | null | undefined, unit = 'msg/s'): string {
  return value === null || value === undefined ? '—' : `${decimal.format(value)} ${unit}`;
}

export function formatAgo(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${integer.format(ms)} ms ago`;
  return `${decimal.format(ms / 1000)} s ago`;
}
