/**
 * A rolling restart of registry gateways: the writer is stopped gracefully
 * (SIGTERM, as Kubernetes stops a pod) while registrations keep arriving
 * through the other gateway. None of them fails: writes the stopping
 * writer no longer takes (503 while it closes, then a refused connection)
 * wait for the next writer, which the survivor becomes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { waitFor } from '../harness/wait.ts';

const registryType = 'application/vnd.schemaregistry.v1+json';

async function register(base: string, subject: string, n: number): Promise<{ status: number; body: string }> {
  const schema = JSON.stringify({ type: 'record', name: `Roll${n}`, fields: [{ name: 'f', type: 'long' }] });
  const response = await fetch(`${base}/subjects/${subject}/versions`, {
    method: 'POST',
    headers: { 'content-type': registryType },
    body: JSON.stringify({ schema }),
  });
  return { status: response.status, body: await response.text() };
}

function role(gateway: GatewayProcess): string | undefined {
  return gateway.logs.filter((l) => l.msg === 'registry writer elected').at(-1)?.registryRole as string | undefined;
}

describe('registry gateways through a rolling restart', () => {
  let dev: DevProcess;
  let a: GatewayProcess;
  let b: GatewayProcess;

  beforeAll(async () => {
    dev = await DevProcess.start({ args: ['--no-gateway'] });
    const args = ['--registry-session-timeout-ms', '6000'];
    [a, b] = await Promise.all([GatewayProcess.start(dev.bootstrap, args), GatewayProcess.start(dev.bootstrap, args)]);
    await waitFor(() => role(a) !== undefined && role(b) !== undefined, { what: 'both gateways to learn the writer' });
  });

  afterAll(async () => {
    await Promise.all([a?.kill('SIGKILL'), b?.kill('SIGKILL')]);
    await dev?.kill('SIGKILL');
  });

  it('registrations through the other gateway all succeed while the writer stops gracefully', async () => {
    const [writer, survivor] = role(a) === 'writer' ? [a, b] : [b, a];
    let next = 0;
    const answers: { status: number; body: string }[] = [];
    const stopped = { done: false };
    // Four clients keep registering through the survivor until the writer has gone and a few more landed after.
    const clients = Array.from({ length: 4 }, async () => {
      let afterStop = 0;
      while (afterStop < 3) {
        const n = next++;
        answers.push(await register(survivor.url, `roll-${n}`, n));
        if (stopped.done) afterStop += 1;
      }
    });
    await waitFor(() => answers.length >= 8, { what: 'registrations to flow before the stop' });
    expect(await writer.kill('SIGTERM')).toBe(0);
    stopped.done = true;
    await Promise.all(clients);
    expect(answers.filter((x) => x.status !== 200)).toEqual([]);
    const ids = answers.map((x) => (JSON.parse(x.body) as { id: number }).id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(role(survivor)).toBe('writer');
  });
});
