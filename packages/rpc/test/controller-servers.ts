import type { ControllerClientOptions } from '../src/controller-client.ts';
import { ControllerClient } from '../src/controller-client.ts';
import { ControllerServiceServer } from '../src/controller-service-server.ts';
import type { ControllerServiceHandler } from '../src/controller-types.ts';

/** Servers and clients a test started; close them all in afterEach. */
export class Started {
  readonly #closers: (() => void)[] = [];

  async server(handler: ControllerServiceHandler, port = 0): Promise<ControllerServiceServer> {
    const started = await ControllerServiceServer.start({ handler, port });
    if (!started.ok) throw new Error(`server did not start: ${started.message}`);
    this.#closers.push(() => started.value.close());
    return started.value;
  }

  client(addresses: string[], options: Partial<ControllerClientOptions> = {}): ControllerClient {
    const client = new ControllerClient({ addresses, backoff: { backoffMsMin: 20, backoffMsMax: 200 }, ...options });
    this.#closers.push(() => client.close());
    return client;
  }

  onClose(closer: () => void): void {
    this.#closers.push(closer);
  }

  closeAll(): void {
    for (const close of this.#closers.splice(0).reverse()) close();
  }
}

export const address = (server: { port: number }): string => `127.0.0.1:${server.port}`;
