/**
 * Two `runnel gateway` processes behind one cluster elect one registry
 * writer: writes through either land (the other forwards), a write
 * acknowledged by one is seen by the next read through the other, and when
 * the writer is killed (SIGKILL) the survivor takes writes over, with no
 * id lost or handed out twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { waitFor } from '../harness/wait.ts';

const registryType = 'application/vnd.schemaregistry.v1+json';

function schemaNumber(n: number): string {
  return JSON.stringify({ type: 'record', name: `R${n}`, namespace: 'writers', fields: [{ name: 'f', type: 'int' }] });
}

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': registryType },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: JSON.parse(await response.text()) as unknown };
}

async function register(base: string, subject: string, n: number): Promise<number> {
  const answer = await call(base, 'POST', `/subjects/${subject}/versions`, { schema: schemaNumber(n) });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return (answer.body as { id: number }).id;
}

/** The role a gateway last logged for itself in the writer election, if any. */
function role(gateway: GatewayProcess): string | undefined {
  return gateway.logs.filter((l) => l.msg === 'registry writer elected').at(-1)?.registryRole as string | undefined;
}

describe('two gateways, one registry writer', () => {
  let dev: DevProcess;
  let a: GatewayProcess;
  let b: GatewayProcess;

  beforeAll(async () => {
    dev = await DevProcess.start({ args: ['--no-gateway'] });
    // The shortest session Kafka allows, so a killed writer is noticed in seconds.
    const args = ['--registry-session-timeout-ms', '6000'];
    [a, b] = await Promise.all([GatewayProcess.start(dev.bootstrap, args), GatewayProcess.start(dev.bootstrap, args)]);
    for (const g of [a, b]) {
      await waitFor(async () => (await fetch(`${g.url}/readyz`)).status === 200, { what: `${g.url} ready` });
    }
  });

  afterAll(async () => {
    await Promise.all([a?.kill('SIGKILL'), b?.kill('SIGKILL')]);
    await dev?.kill('SIGKILL');
  });

  it('elects exactly one writer; the other forwards to it', async () => {
    await waitFor(() => role(a) !== undefined && role(b) !== undefined, { what: 'both gateways to learn the writer' });
    expect([role(a), role(b)].sort()).toEqual(['forward', 'writer']);
  });

  it('takes writes through either gateway, and each read through the other sees them at once', async () => {
    const ids = new Map<number, number>();
    // Concurrent writes through both gateways; each answer is checked by a read through the other one right after.
    await Promise.all(
      Array.from({ length: 20 }, async (_, n) => {
        const [via, other] = n % 2 === 0 ? [a, b] : [b, a];
        const id = await register(via.url, `w-${n}`, n);
        ids.set(n, id);
        const byId = await call(other.url, 'GET', `/schemas/ids/${id}`);
        expect(byId.status).toBe(200);
        expect(JSON.parse((byId.body as { schema: string }).schema)).toEqual(JSON.parse(schemaNumber(n)));
        const latest = await call(other.url, 'GET', `/subjects/w-${n}/versions/latest`);
        expect(latest.body).toMatchObject({ subject: `w-${n}`, version: 1, id });
      }),
    );
    // Twenty different schemas: twenty different ids, none skipped.
    const sorted = [...ids.values()].sort((x, y) => x - y);
    expect(new Set(sorted).size).toBe(20);
    expect(sorted.at(-1)! - sorted[0]! + 1).toBe(20);
    // The same schema again through the other gateway answers the same id, as one registry would.
    expect(await register(b.url, 'w-0', 0)).toBe(ids.get(0));
    expect((await call(a.url, 'GET', '/subjects/w-0/versions')).body).toEqual([1]);
  });

  it('/metrics says which gateway writes, what the other forwarded, and how appends were shared', async () => {
    const metric = async (g: GatewayProcess, name: string): Promise<number> => {
      const text = await (await fetch(`${g.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      return Number(line?.split(' ')[1]);
    };
    const [writer, other] = role(a) === 'writer' ? [a, b] : [b, a];
    expect(await metric(writer, 'runnel_gateway_registry_writer')).toBe(1);
    expect(await metric(other, 'runnel_gateway_registry_writer')).toBe(0);
    // Ten of the twenty registrations (and the repeat of w-0) went through the other gateway.
    expect(await metric(other, 'runnel_gateway_registry_forwarded_writes_total')).toBeGreaterThanOrEqual(10);
    expect(await metric(writer, 'runnel_gateway_registry_forwarded_writes_total')).toBe(0);
    const appends = await metric(writer, 'runnel_gateway_registry_appends_total');
    expect(await metric(writer, 'runnel_gateway_registry_appended_records_total')).toBeGreaterThanOrEqual(20);
    expect(appends).toBeGreaterThan(0);
    for (const g of [a, b]) expect(await metric(g, 'runnel_gateway_registry_subjects')).toBe(20);
  });

  it('when the writer is killed, the other takes writes over with no id lost or repeated', async () => {
    const [writer, survivor] = role(a) === 'writer' ? [a, b] : [b, a];
    const before = (await call(survivor.url, 'GET', '/subjects')).body as string[];
    const highest = Math.max(
      ...(await Promise.all(
        before.map(
          async (s) => ((await call(survivor.url, 'GET', `/subjects/${s}/versions/latest`)).body as { id: number }).id,
        ),
      )),
    );
    await writer.kill('SIGKILL');
    // This write waits for the election to notice the dead writer, then runs on the survivor.
    const id = await register(survivor.url, 'after-kill', 100);
    expect(role(survivor)).toBe('writer');
    expect(id).toBe(highest + 1);
    expect(await register(survivor.url, 'after-kill-2', 101)).toBe(highest + 2);
    // Everything written before the kill is still there.
    expect(((await call(survivor.url, 'GET', '/subjects')).body as string[]).sort()).toEqual(
      [...before, 'after-kill', 'after-kill-2'].sort(),
    );
  });
});
