/**
 * The record values of the transactional workload: a write id, and for a
 * copier's output record the id of the input write it copies, as text
 * ("12" or "12<7") so a log is readable with any console consumer.
 * A value that does not parse decodes to id NaN, which the checker reports
 * as an unexpected record.
 */
export function encodeTxnValue(id: number, source?: number): string {
  return source === undefined ? String(id) : `${id}<${source}`;
}

export function decodeTxnValue(value: Buffer | null): { id: number; source?: number } {
  const [id, source] = (value?.toString('utf8') ?? '').split('<');
  // Number('') is 0: an empty part must not pass for write id 0.
  const parsed = (part: string | undefined): number => (part === undefined || part === '' ? Number.NaN : Number(part));
  return source === undefined ? { id: parsed(id) } : { id: parsed(id), source: parsed(source) };
}
