/**
 * The writing side of the loopback ceiling, run as its own process by
 * bench.ts: connects, prints `{"connected":true}`, writes one reused chunk
 * as fast as the socket drains for the given time, then ends the stream.
 *
 *   node scripts/bench/tcp-writer.ts --port <n> --duration-ms <n> --chunk-bytes <n>
 */
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { assert } from '@runnel/common';

const { values } = parseArgs({
  options: { port: { type: 'string' }, 'duration-ms': { type: 'string' }, 'chunk-bytes': { type: 'string' } },
});
const port = Number(values.port);
const durationMs = Number(values['duration-ms']);
const chunk = Buffer.alloc(Number(values['chunk-bytes']), 0x5a);
assert(
  port > 0 && durationMs > 0 && chunk.length > 0,
  'usage: tcp-writer.ts --port <n> --duration-ms <n> --chunk-bytes <n>',
);

const socket = connect({ host: '127.0.0.1', port }, () => {
  process.stdout.write(`${JSON.stringify({ connected: true })}\n`);
  const deadline = performance.now() + durationMs;
  const fill = (): void => {
    while (performance.now() < deadline) {
      if (!socket.write(chunk)) {
        socket.once('drain', fill);
        return;
      }
    }
    socket.end();
  };
  fill();
});
socket.on('error', (error) => {
  process.stderr.write(`tcp writer: ${error.message}\n`);
  process.exit(1);
});
