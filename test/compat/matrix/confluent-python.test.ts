/**
 * Compatibility matrix, confluent-kafka-python 1.7 on librdkafka 2.0.2
 * (Debian's python3-confluent-kafka): one Python process per operation,
 * against a real `runnel dev` process.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { DevProcess } from '../../harness/dev-process.ts';
import { clients, operations } from './catalogue.ts';
import { matrixFor } from './cell.ts';
import { runPythonOperation } from './python-script.ts';

const clientId = 'confluent-python';
const cell = matrixFor(clientId);
let dev: DevProcess;

beforeAll(async () => {
  dev = await DevProcess.start();
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

const notExposed = clients.find((c) => c.id === clientId)?.notExposed ?? {};

describe('compatibility matrix: confluent-kafka-python', () => {
  for (const operation of operations) {
    if (notExposed[operation.id] !== undefined) continue;
    cell(operation.id, () =>
      runPythonOperation('matrix_confluent.py', dev.bootstrap, operation.id, `ckp-${operation.id}`),
    );
  }
});
