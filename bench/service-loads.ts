// The loads measured against the running service (service.ts starts it and
// sets up the accounts): reads, commands, projection lag, booking, free slots
// and registrations.
import type { RequestSpec } from 'autocannon';
import { ARGON2_DESCRIPTION } from '../src/auth/passwords.js';
import type { Child } from './children.js';
import { startLagProbe, type LagResult } from './lag.js';
import { runLoad, warmUp, type LoadOptions, type LoadSummary } from './load.js';
import { served, type RssSampler, type Run } from './measure.js';
import { databaseUrl, log, only, settings } from './options.js';
import { bookingsFor, serviceBookingsFor, setupSchedule, setupService, slotsFor, type BookableService, type Schedule } from './scheduling.js';
import { benchPhone, json, patchBody, PASSWORD, type Account } from './setup.js';

export interface Loads {
  readonly run: Run;
  readonly service: Child;
  readonly base: string;
  readonly rss: RssSampler;
  readonly staff: Account[];
  readonly people: Account[];
  readonly patchesFor: (connections: number) => (i: number) => RequestSpec[];
}

// Connection i sends as its own users (i, i+C, i+2C...), one at a time: every
// command goes to a user stream no other in-flight command touches.
export function patchesOf(staff: Account[]): (connections: number) => (i: number) => RequestSpec[] {
  let seq = 0;
  return (connections: number) => (i: number): RequestSpec[] => {
    const mine: Account[] = staff.filter((_, k) => k % connections === i);
    let n = 0;
    return [{
      method: 'PATCH',
      path: '/api/v1/users/me',
      headers: json,
      setupRequest: (request) => ({
        ...request,
        headers: { ...request.headers, authorization: `Bearer ${mine[n++ % mine.length]!.token}` },
        body: patchBody(seq++),
      }),
    }];
  };
}

export async function measureGetClient({ run: { meter: { measured }, m }, service, base, rss, people }: Loads): Promise<void> {
  rss.enter('get_client');
  // GET /clients/{id} where the service has it, else the client's own profile at /clients/me.
  const first = people[0]!;
  const byId = await fetch(`${base}/api/v1/clients/${first.id}`, { headers: { authorization: `Bearer ${first.token}` } });
  await byId.arrayBuffer();
  const getClientRoute = byId.status === 200 ? 'GET /api/v1/clients/{id}' : 'GET /api/v1/clients/me';
  m.getClientRoute = getClientRoute;
  const pathOf = (account: Account) => (byId.status === 200 ? `/api/v1/clients/${account.id}` : '/api/v1/clients/me');
  log(`${getClientRoute} (one client, read with its own token)`);
  const get: LoadOptions = {
    title: getClientRoute,
    url: base,
    connections: settings.connections,
    durationS: settings.durationS,
    requestsFor: (i) => {
      const account = people[i % people.length]!;
      return [{ method: 'GET', path: pathOf(account), headers: { authorization: `Bearer ${account.token}` } }];
    },
  };
  await warmUp(get, settings.warmUpS);
  const getClient = await measured('get_client', service.process.pid, () => runLoad(get), served);
  m.getClient = getClient;
  log(`  ${getClient.rps} req/s, p50 ${getClient.latencyMs.p50} ms, p99 ${getClient.latencyMs.p99} ms, non-2xx ${getClient.non2xx}`);
}

export async function measureCommands({ run: { meter: { measured }, m }, service, base, rss, patchesFor }: Loads): Promise<void> {
  const C = settings.connections;
  rss.enter('commands');
  log('commands: PATCH /api/v1/users/me (one event on the user stream, answered after read-your-writes)');
  const patch: LoadOptions = { title: 'PATCH /api/v1/users/me', url: base, connections: C, durationS: settings.durationS, requestsFor: patchesFor(C) };
  await warmUp(patch, settings.warmUpS);
  const commands = await measured('commands', service.process.pid, () => runLoad(patch), served);
  m.commands = commands;
  log(`  ${commands.rps} commands/s, p50 ${commands.latencyMs.p50} ms, p99 ${commands.latencyMs.p99} ms, non-2xx ${commands.non2xx}`);
}

export async function measureLag({ run: { dbName, meter: { measured }, m }, service, base, rss, staff, patchesFor }: Loads): Promise<void> {
  const C = settings.connections;
  const commands = m.commands;
  rss.enter('lag');
  // autocannon paces per connection in one-second windows; few enough connections
  // that each is busy most of the second keeps the offered load close to steady.
  const lagAt = async (rate: number, name: string) => {
    // Enough connections for the rate at the latency measured under full load, split over
    // staggered instances (one per 100 ms slot, at most 10) so arrivals spread over each second.
    const stagger = Math.max(1, Math.min(10, Math.floor(rate / 20)));
    const needed = commands ? Math.ceil((rate * C) / (0.8 * commands.rps)) : C;
    // At most one connection per staff user: each connection sends as users no other one touches.
    const connections = Math.min(staff.length, Math.max(stagger, Math.ceil(Math.min(Math.max(needed, 2), 4 * C) / stagger) * stagger));
    log(`projection lag: ${rate} commands/s offered on ${connections} connections in ${stagger} staggered autocannon instances, users checkpoint polled`);
    const probe = await startLagProbe(databaseUrl(dbName), 'users');
    let load: LoadSummary | undefined;
    let result: LagResult;
    try {
      const paced: LoadOptions = {
        title: `PATCH /api/v1/users/me at ${rate}/s`,
        url: base,
        connections,
        durationS: settings.durationS,
        overallRate: rate,
        stagger,
        requestsFor: patchesFor(connections),
      };
      load = await measured(name, service.process.pid, () => runLoad(paced), served);
    } finally {
      result = await probe.stop(3000);
    }
    log(`  achieved ${load.rps} commands/s; lag p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms over ${result.events} events (poll every ${result.pollMs} ms)`);
    return { load, lag: result, connections, rate };
  };
  const target = await lagAt(settings.lagRate, 'lag');
  ({ load: m.lagLoad, lag: m.lag, connections: m.lagConnections } = target);
  // The target rate was beyond the service: the lag below saturation says whether the projector itself keeps up.
  if (commands && target.load.rps < 0.95 * settings.lagRate) {
    m.lagSustainable = await lagAt(Math.max(10, Math.floor(0.7 * commands.rps)), 'lag_sustainable');
  }
}

/** Booking and free slots, on one schedule set up for both. */
export async function measureScheduling({ run: { meter: { measured }, m }, service, base, rss, staff, people }: Loads): Promise<void> {
  const C = settings.connections;
  let schedule: Schedule | undefined;
  // Booking and free slots exist only where the service has them: a setup that fails says why, as n/a.
  try {
    schedule = await setupSchedule(base, staff[0]!, 4);
  } catch (error) {
    m.schedulingUnavailable = error instanceof Error ? error.message : String(error);
    log(`  booking and slots not measured: ${m.schedulingUnavailable}`);
  }

  /** A booking load: clients booking themselves, one organization-day stream per connection. */
  const bookingLoad = async (name: 'booking' | 'booking_by_service', title: string, requestsFor: LoadOptions['requestsFor']) => {
    rss.enter(name);
    log(`${name}: ${title}, clients booking themselves, one organization-day stream per connection`);
    const book: LoadOptions = { title, url: base, connections: C, durationS: settings.durationS, requestsFor };
    // One generator for the warm-up and the run: a slot booked in the warm-up is not booked again.
    await warmUp(book, settings.warmUpS);
    const result = await measured(name, service.process.pid, () => runLoad(book), served);
    log(`  ${result.rps} bookings/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, non-2xx ${result.non2xx} ${JSON.stringify(result.statusCodes)}`);
    return result;
  };

  if (only.has('booking') && schedule) m.booking = await bookingLoad('booking', 'POST /api/v1/organizations/{org}/appointments', bookingsFor(schedule, people, C));

  if (only.has('booking_by_service')) {
    // An organization of its own: its clients' records and days are apart from the booking above.
    let offered: BookableService | undefined;
    try {
      offered = await setupService(base, staff[0]!, await setupSchedule(base, staff[0]!, 4));
    } catch (error) {
      m.servicesUnavailable = error instanceof Error ? error.message : String(error);
      log(`  booking by service not measured: ${m.servicesUnavailable}`);
    }
    if (offered) m.bookingByService = await bookingLoad('booking_by_service', 'POST /api/v1/organizations/{org}/appointments {service_id, start} (any specialist)', serviceBookingsFor(offered, people, C));
  }

  if (only.has('slots') && schedule) {
    rss.enter('slots');
    log('free slots: GET /api/v1/specialists/{id}/slots for the coming week (public), 30-minute slots');
    const get: LoadOptions = { title: 'GET /api/v1/specialists/{id}/slots', url: base, connections: C, durationS: settings.durationS, requestsFor: slotsFor(schedule) };
    await warmUp(get, settings.warmUpS);
    const slots = await measured('slots', service.process.pid, () => runLoad(get), served);
    m.slots = slots;
    log(`  ${slots.rps} req/s, p50 ${slots.latencyMs.p50} ms, p99 ${slots.latencyMs.p99} ms, non-2xx ${slots.non2xx}`);
  }
}

export async function measureRegister({ run: { meter: { measured }, m }, service, base, rss }: Loads): Promise<void> {
  rss.enter('register');
  log(`registrations: POST /api/v1/auth/register with a password (${ARGON2_DESCRIPTION})`);
  let phone = 1_000_000;
  const reg: LoadOptions = {
    title: 'POST /api/v1/auth/register',
    url: base,
    connections: settings.connections,
    durationS: settings.durationS,
    requestsFor: () => [{
      method: 'POST',
      path: '/api/v1/auth/register',
      headers: json,
      setupRequest: (request) => ({ ...request, body: JSON.stringify({ phone: benchPhone(phone++), password: PASSWORD, first_name: 'Registered' }) }),
    }],
  };
  await warmUp(reg, settings.warmUpS);
  const register = await measured('register', service.process.pid, () => runLoad(reg), served);
  m.register = register;
  log(`  ${register.rps} registrations/s, p50 ${register.latencyMs.p50} ms, non-2xx ${register.non2xx}`);
}
