/**
 * One TCP connection to one broker. Requests are pipelined: each is written
 * as soon as it is made and its response is matched back by correlation id.
 * On connect the connection asks the broker for its API versions (v3, or v0
 * when the broker answers UNSUPPORTED_VERSION) and from then on speaks, per
 * API, the highest version both sides support.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { limits } from '@runnel/common';
import {
  ApiKeys,
  type ApiVersionsResponse,
  DecodeError,
  decodeResponseFrame,
  ErrorCode,
  encodeRequestFrame,
  errorName,
  type RequestApiKey,
  type RequestByKey,
  type ResponseByKey,
} from '@runnel/protocol';
import { negotiateVersions } from './api-version-table.ts';
import { ConnectionError } from './errors.ts';
import { FrameSplitter } from './frame-splitter.ts';

export interface ConnectionOptions {
  host: string;
  port: number;
  /** Sent in every request header. Default "runnel-client". */
  clientId?: string;
  /** How long a request may wait for its response. Default 30000. */
  requestTimeoutMs?: number;
  /** How long the TCP connect and the ApiVersions exchange may take. Default 10000. */
  connectTimeoutMs?: number;
}

export interface RequestOptions {
  /** Overrides the connection's request timeout (e.g. a long-poll fetch adds its wait). */
  timeoutMs?: number;
  /** Sends at most this version of the API (a version whose meaning the caller does not want, like Produce v12). */
  maxVersion?: number | undefined;
}

interface Pending {
  apiKey: number;
  apiVersion: number;
  deadlineMs: number;
  resolve(body: Record<string, unknown>): void;
  reject(error: Error): void;
}

const clientSoftwareVersion = '0.1.0';
const correlationIdMax = 0x7fffffff;
/** How often pending requests are checked against their deadlines. */
const timeoutSweepMsMax = 1000;

/**
 * Owned by whoever connected it (usually a KafkaClient). After any socket
 * error, a malformed frame or close(), the connection is closed for good:
 * every pending request rejects with ConnectionError and later requests
 * reject at once; the owner opens a new one. A request timeout rejects only
 * that request; the connection stays open and drops the late response.
 */
export class Connection {
  readonly host: string;
  readonly port: number;
  readonly #socket: Socket;
  readonly #clientId: string;
  readonly #requestTimeoutMs: number;
  readonly #pending = new Map<number, Pending>();
  readonly #splitter = new FrameSplitter(limits.requestBytesMax);
  readonly #closeListeners: (() => void)[] = [];
  #versions = new Map<number, number>();
  #nextCorrelationId = 0;
  #sweepTimer: NodeJS.Timeout | null = null;
  #closedBy: ConnectionError | null = null;

  private constructor(socket: Socket, options: ConnectionOptions) {
    this.host = options.host;
    this.port = options.port;
    this.#socket = socket;
    this.#clientId = options.clientId ?? 'runnel-client';
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.#onData(data));
    socket.on('error', (error) =>
      this.#fail(new ConnectionError('closed', `${this.address}: ${error.message}`, { cause: error })),
    );
    socket.on('close', () => this.#fail(new ConnectionError('closed', `${this.address}: connection closed`)));
  }

  /** Opens the socket and negotiates versions; rejects with ConnectionError. */
  static async connect(options: ConnectionOptions): Promise<Connection> {
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    const socket = await openSocket(options.host, options.port, connectTimeoutMs);
    const connection = new Connection(socket, options);
    try {
      await connection.#negotiateVersions(connectTimeoutMs);
    } catch (error) {
      connection.close();
      throw error;
    }
    return connection;
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get closed(): boolean {
    return this.#closedBy !== null;
  }

  /** The version this connection uses for an API, or undefined when the broker offers none we speak. */
  versionOf(apiKey: number): number | undefined {
    return this.#versions.get(apiKey);
  }

  /** Runs once when the connection closes, for whatever reason. */
  onClose(listener: () => void): void {
    if (this.#closedBy !== null) listener();
    else this.#closeListeners.push(listener);
  }

  /** Sends a request and resolves with the decoded response body. */
  request<K extends RequestApiKey>(
    apiKey: K,
    body: RequestByKey[K],
    options?: RequestOptions,
  ): Promise<ResponseByKey[K]> {
    const negotiated = this.#versions.get(apiKey);
    if (negotiated === undefined) return Promise.reject(this.#unsupported(apiKey));
    const apiVersion = options?.maxVersion === undefined ? negotiated : Math.min(negotiated, options.maxVersion);
    // Sound: the body is decoded by exactly this key's response definition (see asResponse in protocol).
    return this.#request(apiKey, apiVersion, body, options?.timeoutMs ?? this.#requestTimeoutMs) as unknown as Promise<
      ResponseByKey[K]
    >;
  }

  /**
   * Sends a request the broker answers with nothing (Produce with acks=0).
   * Resolves once the bytes are handed to the kernel.
   */
  send<K extends RequestApiKey>(
    apiKey: K,
    body: RequestByKey[K],
    options?: Pick<RequestOptions, 'maxVersion'>,
  ): Promise<void> {
    const negotiated = this.#versions.get(apiKey);
    if (negotiated === undefined) return Promise.reject(this.#unsupported(apiKey));
    const apiVersion = options?.maxVersion === undefined ? negotiated : Math.min(negotiated, options.maxVersion);
    if (this.#closedBy !== null) return Promise.reject(this.#closedBy);
    const chunks = encodeRequestFrame(
      { apiKey, apiVersion, correlationId: this.#takeCorrelationId(), clientId: this.#clientId },
      body,
    );
    return new Promise((resolve, reject) => {
      this.#write(chunks, (error) => {
        if (error === null || error === undefined) resolve();
        else reject(this.#closedBy ?? new ConnectionError('closed', `${this.address}: ${error.message}`));
      });
    });
  }

  /** Closes the socket; pending requests reject with ConnectionError('closed'). Idempotent. */
  close(): void {
    this.#fail(new ConnectionError('closed', `${this.address}: closed by the client`));
  }

  #request(apiKey: number, apiVersion: number, body: object, timeoutMs: number): Promise<Record<string, unknown>> {
    if (this.#closedBy !== null) return Promise.reject(this.#closedBy);
    const correlationId = this.#takeCorrelationId();
    const chunks = encodeRequestFrame({ apiKey, apiVersion, correlationId, clientId: this.#clientId }, body);
    return new Promise((resolve, reject) => {
      this.#pending.set(correlationId, { apiKey, apiVersion, deadlineMs: Date.now() + timeoutMs, resolve, reject });
      this.#armSweep();
      this.#write(chunks);
    });
  }

  async #negotiateVersions(timeoutMs: number): Promise<void> {
    const request = { clientSoftwareName: 'runnel-client', clientSoftwareVersion };
    let response = (await this.#request(ApiKeys.ApiVersions, 3, request, timeoutMs)) as unknown as ApiVersionsResponse;
    if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
      response = (await this.#request(ApiKeys.ApiVersions, 0, {}, timeoutMs)) as unknown as ApiVersionsResponse;
    }
    if (response.errorCode !== ErrorCode.NONE) {
      throw new ConnectionError(
        'unsupported_api',
        `${this.address}: ApiVersions failed with ${errorName(response.errorCode)}`,
      );
    }
    this.#versions = negotiateVersions(response.apiKeys);
  }

  #write(chunks: Buffer[], callback?: (error?: Error | null) => void): void {
    const socket = this.#socket;
    if (chunks.length === 1) {
      socket.write(chunks[0] as Buffer, callback);
      return;
    }
    // One writev for the whole frame; record chunks go out without being copied.
    socket.cork();
    const last = chunks.length - 1;
    for (let i = 0; i < last; i++) socket.write(chunks[i] as Buffer);
    socket.write(chunks[last] as Buffer, callback);
    socket.uncork();
  }

  #takeCorrelationId(): number {
    const id = this.#nextCorrelationId;
    this.#nextCorrelationId = id === correlationIdMax ? 0 : id + 1;
    return id;
  }

  #onData(data: Buffer): void {
    const error = this.#splitter.push(data, (frame) => this.#onFrame(frame));
    if (error !== null) {
      this.#fail(new ConnectionError('malformed_response', `${this.address}: bad frame size (${error})`));
      this.#socket.destroy();
    }
  }

  #onFrame(frame: Buffer): void {
    if (frame.length < 4) {
      this.#fail(new ConnectionError('malformed_response', `${this.address}: frame of ${frame.length} bytes`));
      this.#socket.destroy();
      return;
    }
    const correlationId = frame.readInt32BE(0);
    const pending = this.#pending.get(correlationId);
    // Unknown ids belong to requests that already timed out.
    if (pending === undefined) return;
    this.#pending.delete(correlationId);
    try {
      pending.resolve(decodeResponse(pending.apiKey, pending.apiVersion, frame));
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      pending.reject(
        new ConnectionError(
          'malformed_response',
          `${this.address}: api ${pending.apiKey} v${pending.apiVersion}: ${error.message}`,
          {
            cause: error,
          },
        ),
      );
    }
  }

  #armSweep(): void {
    if (this.#sweepTimer !== null) return;
    const intervalMs = Math.min(timeoutSweepMsMax, Math.max(5, Math.floor(this.#requestTimeoutMs / 10)));
    this.#sweepTimer = setTimeout(() => {
      this.#sweepTimer = null;
      this.#sweepExpired();
      if (this.#pending.size > 0) this.#armSweep();
    }, intervalMs);
  }

  #sweepExpired(): void {
    const nowMs = Date.now();
    for (const [correlationId, pending] of this.#pending) {
      if (pending.deadlineMs > nowMs) continue;
      this.#pending.delete(correlationId);
      pending.reject(
        new ConnectionError(
          'timeout',
          `${this.address}: no response to api ${pending.apiKey} within the request timeout`,
        ),
      );
    }
  }

  #unsupported(apiKey: number): ConnectionError {
    return (
      this.#closedBy ??
      new ConnectionError('unsupported_api', `${this.address}: broker offers no usable version of api ${apiKey}`)
    );
  }

  #fail(error: ConnectionError): void {
    if (this.#closedBy !== null) return;
    this.#closedBy = error;
    if (this.#sweepTimer !== null) clearTimeout(this.#sweepTimer);
    this.#sweepTimer = null;
    this.#socket.destroy();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(error);
    for (const listener of this.#closeListeners.splice(0)) listener();
  }
}

/**
 * ApiVersions is special: a broker that does not support the version we
 * asked for answers with a v0 body, so a body that fails to decode at the
 * asked version is read again as v0 (as the Java client does).
 */
function decodeResponse(apiKey: number, apiVersion: number, frame: Buffer): Record<string, unknown> {
  try {
    return decodeResponseFrame(apiKey, apiVersion, frame).body;
  } catch (error) {
    if (apiKey !== ApiKeys.ApiVersions || apiVersion === 0 || !(error instanceof DecodeError)) throw error;
    return decodeResponseFrame(apiKey, 0, frame).body;
  }
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectionError('connect_failed', `${host}:${port}: connect timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new ConnectionError('connect_failed', `${host}:${port}: ${error.message}`, { cause: error }));
    });
  });
}
