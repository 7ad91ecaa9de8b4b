import { afterEach, describe, expect, it } from 'vitest';
import { GrpcControllerChannel } from '../src/grpc-controller-channel.ts';
import { address, Started } from './controller-servers.ts';
import { FakeController } from './fake-controller.ts';

const started = new Started();
afterEach(() => started.closeAll());

describe('AlterClientQuotas over gRPC', () => {
  it('carries <default> names, removals and values exactly, and answers a result per entry', async () => {
    const fake = new FakeController();
    const client = started.client([address(await started.server(fake))]);
    const channel = new GrpcControllerChannel(client);
    started.onClose(() => channel.close());
    const entries = [
      {
        entity: [
          { entityType: 'user', entityName: null },
          { entityType: 'client-id', entityName: 'app' },
        ],
        ops: [
          { key: 'producer_byte_rate', value: 1048576 },
          { key: 'request_percentage', value: 12.5 },
          { key: 'consumer_byte_rate', value: null },
        ],
      },
      { entity: [{ entityType: 'client-id', entityName: 'x' }], ops: [{ key: 'bad', value: 1 }] },
    ];
    const results = await channel.call('alterClientQuotas', { entries, validateOnly: false });
    expect(results).toEqual([
      { ok: true, value: null },
      { ok: false, error: 'invalid_request', message: 'bad key' },
    ]);
    expect(fake.quotaEntries).toEqual(entries);
  });
});
