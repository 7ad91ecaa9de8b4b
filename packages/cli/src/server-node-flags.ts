/**
 * Node flags for the long-running server processes (controller, broker,
 * dev), as Kafka's start script picks the JVM heap. V8 starts with a small
 * old generation and collects it again and again while a broker churns
 * through request buffers (each ~1 MB Produce is read in 64 KiB chunks and
 * assembled into a new frame): a larger starting old space took broker CPU
 * per record from ~3.6 to ~2.4 µs and plain and idempotent produce up ~30%
 * in `npm run bench:idempotence` (BENCHMARKS.md). Node refuses this flag in
 * NODE_OPTIONS and V8 ignores it once running, so it goes on the command
 * line wherever a server starts: here for `runnel dev`'s processes, and the
 * same flags in the bin's shebang, `npm start` and the Docker image's
 * entrypoint (test/integration/server-node-flags.test.ts keeps them equal).
 */
export const serverNodeFlags: readonly string[] = ['--initial-old-space-size=128'];
