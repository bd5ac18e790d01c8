// Test data through the public HTTP API, before anything is measured.

export const PASSWORD = 'bench-password-1';

export interface Account {
  readonly id: string;
  readonly token: string;
}

async function post(url: string, body: unknown, expected: number): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== expected) throw new Error(`POST ${url}: ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Runs `work` for 0..count-1 with at most `parallel` at a time. */
export async function inParallel<T>(count: number, parallel: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await work(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return results;
}

/** E.164 numbers in the +7 900 range; `n` below 10^7. */
export const benchPhone = (n: number) => `+7900${String(n % 10_000_000).padStart(7, '0')}`;

/** Staff users (POST /api/v1/users) with an access token each (POST /api/v1/auth/token by email). */
export async function staffUsers(baseUrl: string, runId: string, count: number): Promise<Account[]> {
  return inParallel(count, 4, async (i) => {
    const email = `bench-${runId}-${i}@example.com`;
    const created = await post(`${baseUrl}/api/v1/users`, { email, password: PASSWORD, first_name: `Staff${i}` }, 201);
    const tokens = await post(`${baseUrl}/api/v1/auth/token`, { email, password: PASSWORD }, 200);
    return { id: String(created.id), token: String(tokens.access) };
  });
}

/**
 * Clients (POST /api/v1/auth/register), their phone verified with the code
 * the service logged (an unverified phone signs nothing in), with an access
 * token each (POST /api/v1/auth/token by phone).
 */
export async function clients(baseUrl: string, firstPhone: number, count: number, smsCode: (phone: string) => Promise<string>): Promise<Account[]> {
  return inParallel(count, 4, async (i) => {
    const phone = benchPhone(firstPhone + i);
    const created = await post(`${baseUrl}/api/v1/auth/register`, { phone, password: PASSWORD, first_name: `Client${i}` }, 201);
    await post(`${baseUrl}/api/v1/auth/phone/verify`, { phone, code: await smsCode(phone) }, 200);
    const tokens = await post(`${baseUrl}/api/v1/auth/token`, { phone, password: PASSWORD }, 200);
    return { id: String(created.client_id), token: String(tokens.access) };
  });
}

export const json = { 'content-type': 'application/json' };
export const patchBody = (n: number) => JSON.stringify({ first_name: `First ${n}` });
