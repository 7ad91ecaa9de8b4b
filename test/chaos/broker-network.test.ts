import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../harness/wait.ts';
import { BrokerNetwork } from './broker-network.ts';

// Each namespace is empty, so one fixed port is free in all of them.
const port = 7411;

/** Connects from `namespace` (null: the test's own) to host:port; 'ok' when the server answered. */
function probe(namespace: string | null, host: string): string {
  const script = `const s=require('node:net').connect(${port},'${host}');s.setTimeout(800,()=>{console.log('timeout');process.exit(0)});s.on('data',d=>{console.log(String(d));process.exit(0)});s.on('error',e=>{console.log(e.code);process.exit(0)})`;
  const command = namespace === null ? [process.execPath] : ['ip', 'netns', 'exec', namespace, process.execPath];
  const [file, ...args] = [...command, '-e', script];
  return spawnSync(file ?? 'ip', args, { encoding: 'utf8', timeout: 5000 }).stdout.trim();
}

describe('BrokerNetwork', () => {
  let network: BrokerNetwork | null = null;
  const servers: ChildProcess[] = [];

  beforeAll(async () => {
    network = BrokerNetwork.create([1, 2, 3]);
    if (network === null) return;
    for (const id of [1, 2, 3]) {
      const script = `require('node:net').createServer(s=>s.end('ok')).listen(${port},'${network.address(id)}',()=>console.log('up'))`;
      const [file, ...args] = [...network.wrapper(id), process.execPath, '-e', script];
      const server = spawn(file ?? 'ip', args, { stdio: ['ignore', 'pipe', 'inherit'] });
      servers.push(server);
      let out = '';
      server.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
      });
      await waitFor(() => out.includes('up'), { what: `server in broker ${id}'s namespace` });
    }
  });

  afterAll(() => {
    for (const server of servers) server.kill('SIGKILL');
    network?.close();
  });

  it('isolating a broker cuts it from the other brokers both ways, leaves the test process reaching it, and heals', () => {
    // The machines this project runs on are root with iproute2 (ENVIRONMENT.md), so namespaces must be available.
    expect(network).not.toBeNull();
    if (network === null) return;
    const ns = (id: number): string => network?.namespace(id) ?? '';
    const at = (id: number): string => network?.address(id) ?? '';
    expect([probe(ns(1), at(2)), probe(ns(2), at(1)), probe(null, at(1))]).toEqual(['ok', 'ok', 'ok']);

    network.isolate(1);
    expect(probe(ns(1), at(2))).not.toBe('ok');
    expect(probe(ns(2), at(1))).not.toBe('ok');
    expect(probe(ns(3), at(1))).not.toBe('ok');
    expect(probe(ns(2), at(3))).toBe('ok');
    expect(probe(null, at(1))).toBe('ok');

    network.heal(1);
    expect([probe(ns(1), at(2)), probe(ns(3), at(1))]).toEqual(['ok', 'ok']);
  });

  it('close removes every namespace and the bridge', () => {
    expect(network).not.toBeNull();
    if (network === null) return;
    const names = [1, 2, 3].map((id) => network?.namespace(id) ?? '');
    for (const server of servers.splice(0)) server.kill('SIGKILL');
    network.close();
    const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    expect(names.filter((name) => listed.includes(name))).toEqual([]);
    expect(spawnSync('ip', ['link', 'show', network.bridge]).status).not.toBe(0);
  });
});
