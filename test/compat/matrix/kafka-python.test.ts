/**
 * Compatibility matrix, kafka-python 2.0.2
 * (Debian's python3-kafka): one Python process per operation,
 * against a real `runnel dev` process.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { DevProcess } from '../../harness/dev-process.ts';
import { clients, operations } from './catalogue.ts';
import { matrixFor } from './cell.ts';
import { runPythonOperation } from './python-script.ts';

const clientId = 'kafka-python';
const cell = matrixFor(clientId);
let dev: DevProcess;

beforeAll(async () => {
  dev = await DevProcess.start();
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

const notExposed = clients.find((c) => c.id === clientId)?.notExposed ?? {};

describe('compatibility matrix: kafka-python', () => {
  for (const operation of operations) {
    if (notExposed[operation.id] !== undefined) continue;
    cell(operation.id, () =>
      runPythonOperation('matrix_kafka_python.py', dev.bootstrap, operation.id, `kp-${operation.id}`),
    );
  }
});
