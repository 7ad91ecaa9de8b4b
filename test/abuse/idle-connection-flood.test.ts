/**
 * The lock-out, on a smaller scale: one client opens more idle
 * sockets than the broker's max.connections and holds them. Before the fix
 * every later client was closed at once (10,050 sockets locked everyone
 * out). With max.connections.per.ip (Runnel's default 1000), the flooding
 * address keeps 1000 sockets and its others are closed, while a
 * well-behaved client from another address is served and the probes
 * answer. The attacker connects from 127.0.0.2 (a Linux loopback address),
 * the well-behaved client from 127.0.0.1.
 */
import { connect, type Socket } from 'node:net';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { httpStatus, rssBytes, wellBehavedRoundTrip } from '../harness/process-health.ts';
import { waitFor } from '../harness/wait.ts';

/** Below the flood, so that without a per-address limit the attacker alone fills the broker. */
const connectionsMax = 1200;
const perIpDefault = 1000;
const attackSockets = 1250;
/** The broker starts near 150 MB; 1,250 idle sockets must not take it anywhere near the 1 GiB. */
const rssBytesMax = 512 * 1024 * 1024;

let dev: DevProcess;
const attack: { socket: Socket; closed: boolean }[] = [];

beforeAll(async () => {
  dev = await DevProcess.start({ args: ['--no-gateway'] });
  const admin = new Kafka({ brokers: [dev.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: ConfigResourceTypes.BROKER,
        name: '1',
        configEntries: [{ name: 'max.connections', value: String(connectionsMax) }],
      },
    ],
  });
  await admin.disconnect();
  await dev.waitForLog(
    (l) => l.msg === 'dynamic broker configs applied' && l.connectionsMax === connectionsMax,
    'max.connections applied',
  );
}, 60_000);

afterAll(async () => {
  for (const a of attack) a.socket.destroy();
  await dev?.kill('SIGKILL');
});

function openAttackSocket(port: number, list = attack): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    const entry = { socket, closed: false };
    list.push(entry);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      entry.closed = true;
      resolve();
    });
    socket.on('connect', () => resolve());
  });
}

async function metric(line: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${dev.httpPort}/metrics`)).text();
  const match = line.exec(text);
  return match === null ? 0 : Number(match[1]);
}

describe('a flood of idle connections from one address', () => {
  it('keeps max.connections.per.ip sockets of the flooding address, closes the rest, and serves everyone else', async () => {
    const pid = dev.pid ?? 0;
    const rssBefore = await rssBytes(pid);
    for (let i = 0; i < attackSockets; i += 50) {
      await Promise.all(Array.from({ length: 50 }, () => openAttackSocket(dev.port)));
    }
    await waitFor(() => attack.filter((a) => a.closed).length >= attackSockets - perIpDefault, {
      timeoutMs: 30_000,
      what: 'the connections beyond max.connections.per.ip to be closed',
    });
    expect(attack.filter((a) => !a.closed).length).toBe(perIpDefault);

    await expect(wellBehavedRoundTrip(dev.bootstrap, 'after-flood')).resolves.toMatch(/^hello-/);
    expect(await httpStatus(dev.httpPort, '/healthz')).toBe(200);
    expect(await httpStatus(dev.httpPort, '/readyz')).toBe(200);
    expect(
      await metric(/^runnel_listener_connections_closed_total\{listener="PLAINTEXT",reason="per_ip"\} (\d+)$/m),
    ).toBe(attackSockets - perIpDefault);
    // The held sockets are still counted (the flood was not simply dropped).
    expect(await metric(/^runnel_listener_connections\{listener="PLAINTEXT"\} (\d+)$/m)).toBeGreaterThanOrEqual(
      perIpDefault,
    );
    const rssAfter = await rssBytes(pid);
    console.log(
      `idle flood: RSS ${Math.round(rssBefore / 2 ** 20)} MiB before, ${Math.round(rssAfter / 2 ** 20)} MiB after`,
    );
    expect(rssAfter).toBeLessThan(rssBytesMax);
  }, 90_000);

  it('a flood of the probes port from one address is capped there, and /healthz answers another address', async () => {
    const probeFlood: { socket: Socket; closed: boolean }[] = [];
    // 100 idle sockets: more than the probes' per-address cap (64), held open.
    await Promise.all(Array.from({ length: 100 }, () => openAttackSocket(dev.httpPort, probeFlood)));
    try {
      await waitFor(() => probeFlood.filter((a) => a.closed).length >= 36, {
        what: 'the probe connections beyond the per-address cap to be closed',
      });
      expect(await httpStatus(dev.httpPort, '/healthz')).toBe(200);
      expect(await metric(/^runnel_listener_connections_closed_total\{listener="http",reason="per_ip"\} (\d+)$/m)).toBe(
        36,
      );
    } finally {
      for (const a of probeFlood) a.socket.destroy();
    }
  }, 60_000);
});
