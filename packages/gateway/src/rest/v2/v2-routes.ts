/**
 * REST Proxy v2: topics, partitions, offsets, brokers, and produce with the
 * five embedded formats (binary, json, avro, jsonschema, protobuf).
 */
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';

export function registerV2Routes(_app: FastifyInstance, _context: RestContext): void {}
