/**
 * Standard input for a child process without an error left unhandled. A
 * child that exits (or closes its stdin) before reading all of its input
 * makes the pipe fail with EPIPE; with no 'error' listener that error is
 * thrown at the top level and fails the whole test run, even when every
 * test passed. EPIPE is not the helper's failure: the child's exit code and
 * stderr say what happened, so it is dropped. Any other pipe error goes to
 * `fail` (the helper's reject).
 */
import type { Writable } from 'node:stream';

export function endInput(stdin: Writable, input: Buffer | string, fail: (error: Error) => void): void {
  stdin.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') fail(error);
  });
  stdin.end(input);
}
