import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** What a service needs of any store: the client, a cheap liveness probe, and a clean close. */
export interface StoreHandle<Client> {
  readonly name: string;
  readonly client: Client;
  ping(): Promise<void>;
  close(): Promise<void>;
}

interface StorePluginOptions {
  readonly handle: StoreHandle<unknown>;
  readonly decorator: string;
}

/**
 * Makes a store available as a decorator, adds it to /health/ready and closes it with the app.
 * The handle is opened by main.ts (or a test), so the app never reads config itself.
 */
export const storePlugin = fp(
  (app: FastifyInstance, { handle, decorator }: StorePluginOptions) => {
    app.decorate(decorator, handle.client);
    app.readiness.add(handle.name, () => handle.ping());
    app.addHook('onClose', async () => {
      try {
        await handle.close();
      } catch (error) {
        app.log.warn({ err: error, store: handle.name }, 'store did not close cleanly');
      }
    });
  },
  { name: 'aisle-store', dependencies: ['aisle-health'] },
);
