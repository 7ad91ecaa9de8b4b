/**
 * How the message browser draws what it read: a key or value with a badge
 * saying how it was decoded (Avro and its schema id, JSON, text, hex), the
 * headers, and the scan report (which partitions were read, from where to
 * where, what was scanned and why it stopped).
 */
import type { HeaderView, MessagePage, PartView, ScanReport } from '../../../src/console/message-schema-api-types.ts';
import { formatBytes, formatCount } from '../format.ts';

const kindLabel: Record<PartView['kind'], string> = {
  avro: 'Avro',
  jsonschema: 'JSON Schema',
  protobuf: 'Protobuf',
  json: 'JSON',
  text: 'text',
  hex: 'hex',
  null: 'null',
};

export function PartCell({ part, what }: { part: PartView; what: 'key' | 'value' }) {
  if (part.kind === 'null') return <span class="muted">null</span>;
  const badge = 'schemaId' in part ? `${kindLabel[part.kind]} · schema ${part.schemaId}` : kindLabel[part.kind];
  const body = part.kind === 'text' ? part.text : part.kind === 'hex' ? part.hex : JSON.stringify(part.value, null, 2);
  const cut = (part.kind === 'text' || part.kind === 'hex') && part.truncated;
  return (
    <div class="part">
      <span class="badge">{badge}</span>
      {cut ? <span class="muted"> first bytes of {formatBytes(part.size)}</span> : null}
      {/* A long value scrolls; browsers let the keyboard focus a scroller with no focusable child. */}
      <pre class="part-body" title={`${what} (${badge})`}>
        {body}
      </pre>
    </div>
  );
}

export function HeadersCell({ headers }: { headers: HeaderView[] }) {
  if (headers.length === 0) return <span class="muted">none</span>;
  return (
    <dl class="headers">
      {headers.map((h, i) => (
        <div key={`${h.key}-${i}`}>
          <dt>{h.key}</dt>
          <dd>
            {h.value === null ? <span class="muted">null</span> : h.value}
            {h.encoding === 'hex' ? <span class="muted"> (hex)</span> : null}
          </dd>
        </div>
      ))}
    </dl>
  );
}

const stopWords: Record<ScanReport['stoppedBy'], string> = {
  end: 'reached the end',
  limit: 'found enough records',
  scanRecordsMax: 'record scan limit',
  scanBytesMax: 'byte scan limit',
};

export function ScanSummary({ page }: { page: MessagePage }) {
  const bounded = page.scans.filter((s) => s.stoppedBy === 'scanRecordsMax' || s.stoppedBy === 'scanBytesMax');
  return (
    <div class="panel" aria-live="polite">
      {page.keyPartition === null ? null : (
        <p data-testid="key-partition">
          Key search: read partition <strong>{page.keyPartition}</strong> only, the one Kafka's default partitioner
          gives this key (of {page.partitionCount}).
        </p>
      )}
      <p data-testid="scan-summary">
        {`Showing ${plural(page.records.length, 'record')}. Scanned ${plural(page.scanned.records, 'record')} `}
        {`(${formatBytes(page.scanned.bytes)}) in ${page.partitions.length} of ${plural(page.partitionCount, 'partition')}.`}
      </p>
      {bounded.length === 0 ? null : (
        <p class="warn">
          The scan stopped at its limit in partition {bounded.map((s) => s.partition).join(', ')}: more records may
          match further on.
        </p>
      )}
      <details>
        <summary>Scan per partition</summary>
        <table aria-label="Scan per partition">
          <thead>
            <tr>
              <th scope="col">Partition</th>
              <th scope="col" class="num">
                Log start
              </th>
              <th scope="col" class="num">
                Log end
              </th>
              <th scope="col" class="num">
                Read from
              </th>
              <th scope="col" class="num">
                Read to
              </th>
              <th scope="col" class="num">
                Scanned
              </th>
              <th scope="col" class="num">
                Matched
              </th>
              <th scope="col">Stopped</th>
            </tr>
          </thead>
          <tbody>
            {page.scans.map((s) => (
              <tr key={s.partition} data-testid={`scan-${s.partition}`}>
                <td>{s.partition}</td>
                <td class="num">{s.lowWatermark}</td>
                <td class="num">{s.highWatermark}</td>
                <td class="num">{s.fromOffset}</td>
                <td class="num">{s.nextOffset}</td>
                <td class="num">
                  {formatCount(s.recordsScanned)} ({formatBytes(s.bytesScanned)})
                </td>
                <td class="num">{formatCount(s.matched)}</td>
                <td>{stopWords[s.stoppedBy]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}

function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}
