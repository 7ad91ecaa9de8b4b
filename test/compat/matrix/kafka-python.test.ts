/**
 * Compatibility matrix, kafka-python 2.0.2 (Debian's python3-kafka): one Python
 * process per operation (test/harness/python/matrix_kafka_python.py), against a
 * real `runnel dev` process.
 */
import { describe } from 'vitest';
import { pythonClientCells } from './python-script.ts';

describe('compatibility matrix: kafka-python', () => {
  pythonClientCells('kafka-python', 'matrix_kafka_python.py', 'kp');
});
