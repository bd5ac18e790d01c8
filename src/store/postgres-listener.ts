import pg from 'pg';

/** Channel appends notify on (when `notify` is set) and live subscriptions listen on. */
export const EVENTS_CHANNEL = 'events_appended';

/** Source of LISTEN notifications. A PGlite instance is one as is; for pg use pgNotificationListener. */
export interface NotificationListener {
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
}

/** Pause before reconnecting after `failures` failed tries in a row. */
const backoffMs = (failures: number) => Math.min(10_000, 100 * 2 ** Math.min(failures, 7));

/**
 * A listener that opens one dedicated pg.Client per subscription (pooled
 * connections cannot LISTEN reliably). A lost connection (the server
 * restarting, the network) is opened again with backoff until unlisten: only
 * the first connection must succeed. Subscriptions keep polling meanwhile, so
 * a lost listener only costs latency; a reconnection wakes them once, for
 * what was appended while nobody listened.
 */
export function pgNotificationListener(connectionString: string): NotificationListener {
  return {
    async listen(channel, onNotify) {
      let current: pg.Client | undefined;
      let stopped = false;
      let failures = 0;
      let retry: NodeJS.Timeout | undefined;

      const reconnectLater = (): void => {
        if (stopped || retry) return;
        retry = setTimeout(() => {
          retry = undefined;
          open().then(
            () => onNotify(),
            () => {
              failures++;
              reconnectLater();
            },
          );
        }, backoffMs(failures));
        retry.unref();
      };

      const open = async (): Promise<void> => {
        const client = new pg.Client({ connectionString });
        client.on('error', () => undefined);
        client.on('notification', (message) => {
          if (message.channel === channel) onNotify();
        });
        client.on('end', () => {
          if (current === client) {
            current = undefined;
            reconnectLater();
          }
        });
        try {
          await client.connect();
          await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
        } catch (error) {
          await client.end().catch(() => undefined);
          throw error;
        }
        if (stopped) return void (await client.end().catch(() => undefined));
        current = client;
        failures = 0;
      };

      await open();
      return async () => {
        stopped = true;
        clearTimeout(retry);
        const client = current;
        current = undefined;
        await client?.end().catch(() => undefined);
      };
    },
  };
}
