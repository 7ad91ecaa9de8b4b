/**
 * What the resource-abuse tests assert about a broker under attack: its
 * resident memory (from /proc, Linux only), its health endpoints, and that
 * a well-behaved client is still served.
 */
import { readdir, readFile } from 'node:fs/promises';
import { Kafka, logLevel } from 'kafkajs';

/** Resident set size of a live process, in bytes (VmRSS from /proc/<pid>/status). */
export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** Samples a process's RSS and keeps the largest value seen. */
export class PeakRss {
  readonly #pid: number;
  peakBytes = 0;

  constructor(pid: number) {
    this.#pid = pid;
  }

  async sample(): Promise<number> {
    const rss = await rssBytes(this.#pid);
    this.peakBytes = Math.max(this.peakBytes, rss);
    return rss;
  }
}

/** Open file descriptors of a live process (entries of /proc/<pid>/fd). */
export async function openFileCount(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`)).length;
}

/** The HTTP status of GET http://127.0.0.1:<port><path>; throws when nothing answers. */
export async function httpStatus(port: number, path: '/healthz' | '/readyz' | '/metrics' | string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  return response.status;
}

/**
 * A well-behaved client's round trip: kafkajs creates `topic` (if needed),
 * produces one record and reads it back. Resolves with the value read;
 * rejects if the broker does not serve it.
 */
export async function wellBehavedRoundTrip(bootstrap: string, topic: string): Promise<string> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'well-behaved', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `well-behaved-${topic}` });
  const value = `hello-${Date.now()}`;
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await producer.connect();
    await producer.send({ topic, messages: [{ value }] });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<string>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            const read = message.value?.toString() ?? '';
            if (read === value) resolve(read);
          },
        })
        .catch(reject);
    });
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  }
}
