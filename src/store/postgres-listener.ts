import pg from 'pg';

/** Channel appends notify on (when `notify` is set) and live subscriptions listen on. */
export const EVENTS_CHANNEL = 'events_appended';

/** Source of LISTEN notifications. A PGlite instance is one as is; for pg use pgNotificationListener. */
export interface NotificationListener {
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
}

/** A listener that opens one dedicated pg.Client per subscription (pooled connections cannot LISTEN reliably). */
export function pgNotificationListener(connectionString: string): NotificationListener {
  return {
    async listen(channel, onNotify) {
      const client = new pg.Client({ connectionString });
      // A lost listener connection only costs latency: subscriptions keep polling.
      client.on('error', () => undefined);
      client.on('notification', (message) => {
        if (message.channel === channel) onNotify();
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      return () => client.end();
    },
  };
}
