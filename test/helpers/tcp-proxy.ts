import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import type { Test } from 'tap';

/**
 * A TCP proxy in front of a shared server (PostgreSQL, Redis), for real
 * outages without touching that server: `cut()` resets every connection and
 * refuses new ones (each is reset as soon as it is accepted), `restore()`
 * forwards again. The port stays the same throughout, as a restarted server's would.
 */
export interface TcpProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  cut(): void;
  restore(): void;
  /** Connections accepted and forwarded so far. */
  readonly forwarded: number;
  /** Connections refused while cut. */
  readonly refused: number;
}

export async function startTcpProxy(t: Test, target: { host?: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let down = false;
  let forwarded = 0;
  let refused = 0;
  const server = createServer((client) => {
    if (down) {
      refused++;
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    forwarded++;
    const upstream = createConnection({ host: target.host ?? '127.0.0.1', port: target.port });
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      // Either side failing ends the pair, as a network failure would.
      socket.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  t.teardown(async () => {
    for (const socket of open) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    port,
    via(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut() {
      down = true;
      // A reset, as a server that died or a network that dropped the connection gives.
      for (const socket of open) socket.resetAndDestroy();
    },
    restore() {
      down = false;
    },
    get forwarded() {
      return forwarded;
    },
    get refused() {
      return refused;
    },
  };
}
