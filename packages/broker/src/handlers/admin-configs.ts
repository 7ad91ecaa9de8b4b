/**
 * AlterConfigs (key 33, v0-2) and IncrementalAlterConfigs (key 44, v0-1)
 * for topics (resource type 2) and dynamic broker configs (type 4: a broker
 * id, or "" for the cluster-wide default), which the controller stores as
 * config records in the metadata log; every broker applies them when it
 * replays them, without a restart. Both become the controller's incremental
 * alterConfigs: the legacy API replaces a resource's whole dynamic config,
 * so it is sent as "set every listed key, delete every other override"
 * (computed from this broker's image). BROKER_LOGGER (type 8) changes this
 * broker's log levels in place and never reaches the controller; the legacy
 * API refuses it, as Kafka's does. Other resource types and malformed
 * entries get INVALID_REQUEST without reaching the controller. The reply
 * waits until this broker has applied the change, so DescribeConfigs right
 * after shows it.
 */
import type {
  AlterConfigsError,
  AlterConfigsResource,
  AlterConfigsResult,
  ConfigAlteration,
  ConfigOperation,
  ConfigResourceType,
} from '@runnel/metadata';
import { ControllerUnavailableError } from '@runnel/metadata';
import {
  type AlterConfigsRequest,
  type AlterConfigsResponse,
  ErrorCode,
  type IncrementalAlterConfigsRequest,
  type IncrementalAlterConfigsResponse,
} from '@runnel/protocol';
import { checkLoggerChange, type LoggerChange } from '../logger-levels.ts';
import type { BrokerContext, Handler } from './handler.ts';

const alterConfigsErrorCodes: Record<AlterConfigsError, number> = {
  unknown_topic: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  invalid_config: ErrorCode.INVALID_CONFIG,
  invalid_request: ErrorCode.INVALID_REQUEST,
};

const resourceTypes: ReadonlyMap<number, ConfigResourceType> = new Map([
  [2, 'topic'],
  [4, 'broker'],
]);
const resourceBrokerLogger = 8;

/** IncrementalAlterConfigs' operation ids, as the protocol numbers them. */
const configOperations: readonly ConfigOperation[] = ['set', 'delete', 'append', 'subtract'];

type ResourceResponse = AlterConfigsResponse['responses'][number];

interface WireResource {
  readonly resourceType: number;
  readonly resourceName: string;
}

/** A resource ready for the controller, or the response it gets without asking. */
type Prepared =
  | { readonly ok: true; readonly resource: AlterConfigsResource }
  | { readonly ok: false; readonly response: ResourceResponse };

export function alterConfigsHandler(broker: BrokerContext): Handler<33> {
  return {
    apiKey: 33,
    minVersion: 0,
    maxVersion: 2,
    async handle(request: AlterConfigsRequest): Promise<AlterConfigsResponse> {
      const image = broker.image();
      const responses = await alter(broker, 'AlterConfigs', request.resources, request.validateOnly, (r, type) => {
        if (type === 'logger')
          return 'AlterConfigs does not support the BROKER_LOGGER resource; use IncrementalAlterConfigs.';
        const changes: ConfigAlteration[] = r.configs.map((c) => ({
          name: c.name,
          op: c.value === null ? 'delete' : 'set',
          value: c.value,
        }));
        const listed = new Set(r.configs.map((c) => c.name));
        for (const name of image.configOverrides(type, r.resourceName).keys()) {
          if (!listed.has(name)) changes.push({ name, op: 'delete', value: null });
        }
        return changes;
      });
      return { throttleTimeMs: 0, responses };
    },
  };
}

export function incrementalAlterConfigsHandler(broker: BrokerContext): Handler<44> {
  return {
    apiKey: 44,
    minVersion: 0,
    maxVersion: 1,
    async handle(request: IncrementalAlterConfigsRequest): Promise<IncrementalAlterConfigsResponse> {
      const responses = await alter(broker, 'IncrementalAlterConfigs', request.resources, request.validateOnly, (r) => {
        if (r.resourceType === resourceBrokerLogger) return alterLoggers(broker, r, request.validateOnly);
        const changes: ConfigAlteration[] = [];
        for (const c of r.configs) {
          const op = configOperations[c.configOperation];
          if (op === undefined) return `Unknown config operation ${c.configOperation} for '${c.name}'.`;
          changes.push({ name: c.name, op, value: c.value });
        }
        return changes;
      });
      return { throttleTimeMs: 0, responses };
    },
  };
}

/**
 * The shared path: checks resource types and duplicates, turns each resource
 * into changes (`toChanges` returns a message for a malformed one), asks the
 * controller, and answers every resource in request order.
 */
async function alter<R extends WireResource>(
  broker: BrokerContext,
  api: string,
  resources: readonly R[],
  validateOnly: boolean,
  toChanges: (resource: R, type: ConfigResourceType | 'logger') => ConfigAlteration[] | string | ResourceAnswer,
): Promise<ResourceResponse[]> {
  const respond = (r: WireResource, errorCode: number, errorMessage: string | null): ResourceResponse => ({
    errorCode,
    errorMessage,
    resourceType: r.resourceType,
    resourceName: r.resourceName,
  });
  const key = (r: WireResource) => `${r.resourceType}\u0000${r.resourceName}`;
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  const prepared = resources.map((r): Prepared => {
    const type = r.resourceType === resourceBrokerLogger ? 'logger' : resourceTypes.get(r.resourceType);
    if (type === undefined) {
      return {
        ok: false,
        response: respond(r, ErrorCode.INVALID_REQUEST, `Unsupported resource type ${r.resourceType}.`),
      };
    }
    if (counts.get(key(r)) !== 1) {
      return { ok: false, response: respond(r, ErrorCode.INVALID_REQUEST, 'Duplicate resource in request.') };
    }
    if (type === 'broker' && r.resourceName !== '' && !/^\d+$/.test(r.resourceName)) {
      const message = `Broker resource name must be a broker id or empty, not '${r.resourceName}'.`;
      return { ok: false, response: respond(r, ErrorCode.INVALID_REQUEST, message) };
    }
    const changes = toChanges(r, type);
    if (typeof changes === 'string') return { ok: false, response: respond(r, ErrorCode.INVALID_REQUEST, changes) };
    if (!Array.isArray(changes)) {
      const answered = changes as ResourceAnswer;
      return { ok: false, response: respond(r, answered.errorCode, answered.errorMessage) };
    }
    if (type === 'logger') {
      return { ok: false, response: respond(r, ErrorCode.INVALID_REQUEST, 'Unsupported resource type 8.') };
    }
    return { ok: true, resource: { resourceType: type, resourceName: r.resourceName, changes } };
  });
  const toSend = prepared.flatMap((p) => (p.ok ? [p.resource] : []));
  let results: AlterConfigsResult[] = [];
  if (toSend.length > 0) {
    try {
      results = await broker.controller.call('alterConfigs', { resources: toSend, validateOnly });
    } catch (error) {
      if (!(error instanceof ControllerUnavailableError)) throw error;
      broker.logger.warn({ err: error.message }, `${api}: no controller answered`);
      const message = `No active controller answered; retry. (${error.message})`;
      return prepared.map((p, i) => {
        if (!p.ok) return p.response;
        const r = resources[i];
        return respond(r ?? { resourceType: 0, resourceName: '' }, ErrorCode.NOT_CONTROLLER, message);
      });
    }
    await broker.partitions.settled();
  }
  let next = 0;
  return prepared.map((p, i) => {
    if (!p.ok) return p.response;
    const result = results[next++];
    const wire = resources[i] ?? { resourceType: 0, resourceName: '' };
    if (result === undefined || result.result.ok) return respond(wire, ErrorCode.NONE, null);
    broker.logger.info({ resource: p.resource.resourceName, error: result.result.error }, `${api} refused`);
    return respond(wire, alterConfigsErrorCodes[result.result.error], result.result.message ?? null);
  });
}

/** The answer of a resource handled without the controller. */
interface ResourceAnswer {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

const loggerErrorCodes = { invalid_config: ErrorCode.INVALID_CONFIG, invalid_request: ErrorCode.INVALID_REQUEST };

/**
 * BROKER_LOGGER on this broker: every change is checked first and applied
 * only when all pass (and not for validateOnly), as Kafka does.
 */
function alterLoggers(
  broker: BrokerContext,
  r: IncrementalAlterConfigsRequest['resources'][number],
  validateOnly: boolean,
): ResourceAnswer {
  const nodeId = String(broker.config.nodeId);
  if (r.resourceName !== nodeId) {
    return {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `Unexpected broker id, expected ${nodeId}, but received '${r.resourceName}'`,
    };
  }
  const known = broker.loggers.names();
  for (const c of r.configs) {
    const op = configOperations[c.configOperation] ?? String(c.configOperation);
    const refused = checkLoggerChange(known, c.name, op, c.value);
    if (refused !== null) return { errorCode: loggerErrorCodes[refused.error], errorMessage: refused.message };
  }
  if (!validateOnly) {
    for (const c of r.configs) {
      const change: LoggerChange =
        configOperations[c.configOperation] === 'delete' ? { op: 'delete' } : { op: 'set', level: c.value ?? '' };
      broker.loggers.apply(c.name, change);
      broker.logger.info({ logger: c.name, level: c.value }, 'log level changed');
    }
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null };
}
