/**
 * Compatibility matrix, confluent-kafka-python 1.7 on librdkafka 2.0.2 (Debian's python3-confluent-kafka): one Python
 * process per operation (test/harness/python/matrix_confluent.py), against a
 * real `runnel dev` process.
 */
import { describe } from 'vitest';
import { pythonClientCells } from './python-script.ts';

describe('compatibility matrix: confluent-python', () => {
  pythonClientCells('confluent-python', 'matrix_confluent.py', 'ckp');
});
