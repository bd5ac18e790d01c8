import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { DestinationRefused, hostOf, resolveDestination, type Destination } from '../../net/destinations.js';

// One attempt of one delivery: the host resolved and checked
// (src/net/destinations.ts), then the request made to THAT address (the
// socket's lookup answers with it, so no second resolution can send it
// elsewhere; TLS still checks the certificate against the host name). A
// redirect is not followed: only a 2xx delivers.

export const DELIVERY_TIMEOUT_MS = 10_000;

export type Attempt =
  | { readonly outcome: 'delivered'; readonly statusCode: number }
  | { readonly outcome: 'failed'; readonly statusCode: number | null; readonly error: string }
  | { readonly outcome: 'refused'; readonly error: string };

/** Answers every lookup of the socket with the address already checked. */
const pinned =
  (destination: Destination): LookupFunction =>
  (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: destination.address, family: destination.family }]);
    else callback(null, destination.address, destination.family);
  };

/** A short reason an attempt failed, naming no URL, header or secret. */
function reasonOf(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `No answer within ${timeoutMs / 1000} s.`;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `Connection failed (${code}).` : 'Connection failed.';
}

export async function postSigned(
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  options: { allowPrivateNetworks: boolean; timeoutMs?: number },
): Promise<Attempt> {
  const target = new URL(url);
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  let destination: Destination;
  try {
    destination = await resolveDestination(hostOf(target), options.allowPrivateNetworks);
  } catch (error) {
    if (error instanceof DestinationRefused) return { outcome: 'refused', error: error.message };
    throw error;
  }
  const client = target.protocol === 'https:' ? https : http;
  return new Promise<Attempt>((resolve) => {
    const request = client.request(
      {
        method: 'POST',
        protocol: target.protocol,
        hostname: hostOf(target),
        port: target.port === '' ? undefined : Number(target.port),
        path: `${target.pathname}${target.search}`,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body).toString(), 'user-agent': 'service-booking-webhooks/1' },
        lookup: pinned(destination),
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        const statusCode = response.statusCode ?? 0;
        // The answer's body is not read: a receiver says what it needs in the status.
        response.resume();
        response.on('error', () => undefined);
        if (statusCode >= 200 && statusCode < 300) resolve({ outcome: 'delivered', statusCode });
        else resolve({ outcome: 'failed', statusCode, error: statusCode >= 300 && statusCode < 400 ? `HTTP ${statusCode} (redirects are not followed).` : `HTTP ${statusCode}.` });
        request.destroy();
      },
    );
    request.on('error', (error) => resolve({ outcome: 'failed', statusCode: null, error: reasonOf(error, timeoutMs) }));
    request.end(body);
  });
}
