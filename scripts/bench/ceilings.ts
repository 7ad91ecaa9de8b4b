/**
 * What the machine itself allows, measured in the same run as the broker:
 * TCP over loopback between two processes, and sequential file I/O on the
 * filesystem that holds the broker's data. The broker cannot beat these;
 * how close it gets is the interesting number.
 */
import { closeSync, fsyncSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { assert } from '@runnel/common';
import { jsonField, NodeChild } from './child-process.ts';

const tcpWriterScript = resolve(import.meta.dirname, 'tcp-writer.ts');
const readBufferBytes = 256 * 1024;

export interface Rate {
  bytes: number;
  elapsedMs: number;
}

/**
 * A child process writes `chunkBytes` chunks to this one for `durationMs`;
 * the rate is measured where they are read, into one reused buffer.
 */
export async function measureLoopbackTcp(durationMs: number, chunkBytes: number, logPath: string): Promise<Rate> {
  const writer = await NodeChild.start(
    [tcpWriterScript, '--duration-ms', String(durationMs), '--chunk-bytes', String(chunkBytes)],
    {
      logPath,
      timeoutMs: 30_000,
      isReady: (line) => {
        const port = jsonField(line, 'port');
        return typeof port === 'number' ? port : undefined;
      },
    },
  );
  try {
    return await new Promise<Rate>((resolve, reject) => {
      let bytes = 0;
      let firstAt = 0;
      const buffer = Buffer.allocUnsafe(readBufferBytes);
      const socket = connect({
        host: '127.0.0.1',
        port: writer.ready,
        onread: {
          buffer,
          callback: (n: number) => {
            if (bytes === 0) firstAt = performance.now();
            bytes += n;
            return true;
          },
        },
      });
      socket.on('error', reject);
      socket.on('end', () => {
        resolve({ bytes, elapsedMs: performance.now() - firstAt });
        socket.destroy();
      });
    });
  } finally {
    await writer.stop();
  }
}

export interface DiskRates {
  /** write() calls only: what lands in the page cache. */
  write: Rate;
  /** The same writes plus one fsync at the end: what reaches the device. */
  writeFsync: Rate;
  /** Reading the file back just after writing it, so from the page cache, as the broker's fetches do here. */
  read: Rate;
}

/** Sequential `chunkBytes` writes of a `totalBytes` file in `dir`, then a read of it; the file is removed. */
export function measureDisk(dir: string, totalBytes: number, chunkBytes: number): DiskRates {
  const path = join(dir, 'bench-disk-ceiling.tmp');
  const chunk = Buffer.alloc(chunkBytes, 0xa5);
  const fd = openSync(path, 'w');
  try {
    const start = performance.now();
    for (let written = 0; written < totalBytes; )
      written += writeSync(fd, chunk, 0, Math.min(chunkBytes, totalBytes - written));
    const wroteAt = performance.now();
    fsyncSync(fd);
    const syncedAt = performance.now();
    closeSync(fd);
    const readFd = openSync(path, 'r');
    const readStart = performance.now();
    let read = 0;
    try {
      for (;;) {
        const n = readSync(readFd, chunk, 0, chunkBytes, null);
        if (n === 0) break;
        read += n;
      }
    } finally {
      closeSync(readFd);
    }
    const readEnd = performance.now();
    assert(read === totalBytes, `read back ${read} of ${totalBytes} bytes`);
    return {
      write: { bytes: totalBytes, elapsedMs: wroteAt - start },
      writeFsync: { bytes: totalBytes, elapsedMs: syncedAt - start },
      read: { bytes: totalBytes, elapsedMs: readEnd - readStart },
    };
  } finally {
    rmSync(path, { force: true });
  }
}
