/**
 * A minimal Kafka protocol connection for tests that need exact control of
 * what goes on the wire (pipelining, acks=0, odd versions): typed requests
 * in, responses matched by correlation id out.
 */
import { decodeResponseFrame, encodeRequestFrame, type RequestByKey, type ResponseByKey } from '@runnel/protocol';
import { RawSocket } from './raw-socket.ts';

export class ProtocolClient {
  readonly socket: RawSocket;
  #correlationId = 1;
  readonly #versions = new Map<number, { apiKey: number; version: number }>();

  private constructor(socket: RawSocket) {
    this.socket = socket;
  }

  static async connect(port: number): Promise<ProtocolClient> {
    return new ProtocolClient(await RawSocket.connect(port));
  }

  /** Writes a request without waiting; returns its correlation id. */
  send<K extends keyof RequestByKey>(apiKey: K, version: number, body: RequestByKey[K]): number {
    const correlationId = this.#correlationId++;
    this.#versions.set(correlationId, { apiKey, version });
    this.socket.send(
      encodeRequestFrame({ apiKey, apiVersion: version, correlationId, clientId: 'protocol-client' }, body),
    );
    return correlationId;
  }

  /** Reads the next response frame, whatever request it answers. */
  async next(): Promise<{ correlationId: number; apiKey: number; body: unknown }> {
    const frame = await this.socket.nextFrame(30_000);
    const correlationId = frame.readInt32BE(0);
    const sent = this.#versions.get(correlationId);
    if (sent === undefined) throw new Error(`response for unknown correlation id ${correlationId}`);
    this.#versions.delete(correlationId);
    const decoded = decodeResponseFrame(sent.apiKey, sent.version, frame);
    return { correlationId, apiKey: sent.apiKey, body: decoded.body };
  }

  /** Sends one request and reads its response (nothing else may be in flight). */
  async request<K extends keyof RequestByKey & keyof ResponseByKey>(
    apiKey: K,
    version: number,
    body: RequestByKey[K],
  ): Promise<ResponseByKey[K]> {
    const id = this.send(apiKey, version, body);
    const response = await this.next();
    if (response.correlationId !== id) throw new Error(`expected response ${id}, got ${response.correlationId}`);
    return response.body as ResponseByKey[K];
  }

  /** CreateTopics v4 of one topic at replication factor 1; returns its error code. */
  async createTopic(name: string, numPartitions: number): Promise<number> {
    const response = await this.request(19, 4, {
      topics: [{ name, numPartitions, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    return response.topics[0]?.errorCode ?? -1;
  }

  close(): void {
    this.socket.close();
  }
}
