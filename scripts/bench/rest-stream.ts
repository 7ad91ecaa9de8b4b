/**
 * A streamed v3 produce as a client sends it: one POST with
 * `Transfer-Encoding: chunked` whose body is the records (one JSON object
 * per line), written as the socket takes them, while the delivery reports
 * (one JSON object per line) are read as they come back — both directions
 * at once, as the gateway only reads on while its answer drains. For
 * `npm run bench:rest`; the e2e tests have the same client in
 * test/harness/rest-stream.ts (the scripts and test projects cannot import
 * each other's files).
 */
import { request } from 'node:http';

export interface StreamedProduce {
  status: number;
  /** Reports in the order they arrived. */
  reports: Record<string, unknown>[];
}

/**
 * POSTs `records` (each a JSON text) to `url` in chunks of about `chunkBytes`; resolves with every report once
 * the answer ends. `onReport` sees each report as it arrives (reports are kept unless `keep` is false).
 */
export function streamProduce(
  url: string,
  records: Iterable<string>,
  options: { chunkBytes?: number; keep?: boolean; onReport?: (report: Record<string, unknown>) => void } = {},
): Promise<StreamedProduce> {
  const chunkBytes = options.chunkBytes ?? 64 * 1024;
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const reports: Record<string, unknown>[] = [];
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      },
      (res) => {
        let partial = '';
        res.setEncoding('utf8');
        res.on('data', (text: string) => {
          const lines = (partial + text).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            if (line.trim() === '') continue;
            const report = JSON.parse(line) as Record<string, unknown>;
            options.onReport?.(report);
            if (options.keep !== false) reports.push(report);
          }
        });
        res.on('end', () => {
          if (partial.trim() !== '') {
            const report = JSON.parse(partial) as Record<string, unknown>;
            options.onReport?.(report);
            if (options.keep !== false) reports.push(report);
          }
          resolve({ status: res.statusCode ?? 0, reports });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const iterator = records[Symbol.iterator]();
    const writeMore = (): void => {
      for (;;) {
        let chunk = '';
        let done = false;
        while (chunk.length < chunkBytes) {
          const next = iterator.next();
          if (next.done === true) {
            done = true;
            break;
          }
          chunk += `${next.value}\n`;
        }
        if (done) {
          req.end(chunk);
          return;
        }
        if (!req.write(chunk)) {
          req.once('drain', writeMore);
          return;
        }
      }
    };
    writeMore();
  });
}
