/**
 * The writing side of the loopback ceiling, run as its own process by
 * bench.ts: listens, prints `{"port":N}`, and writes one reused chunk to the
 * first connection as fast as the socket drains for the given time, then
 * ends the stream and exits. It listens (rather than connects) so that the
 * reading side, in bench.ts, can be a client socket with `onread` and read
 * into one reused buffer, as the load generator does.
 *
 *   node scripts/bench/tcp-writer.ts --duration-ms <n> --chunk-bytes <n>
 */
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { assert } from '@runnel/common';

const { values } = parseArgs({
  options: { 'duration-ms': { type: 'string' }, 'chunk-bytes': { type: 'string' } },
});
const durationMs = Number(values['duration-ms']);
const chunk = Buffer.alloc(Number(values['chunk-bytes']), 0x5a);
assert(durationMs > 0 && chunk.length > 0, 'usage: tcp-writer.ts --duration-ms <n> --chunk-bytes <n>');

const server = createServer((socket) => {
  server.close();
  socket.on('error', (error) => {
    process.stderr.write(`tcp writer: ${error.message}\n`);
    process.exit(1);
  });
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
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  assert(address !== null && typeof address === 'object', 'tcp writer has no address');
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});
