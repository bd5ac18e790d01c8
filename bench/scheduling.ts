// Setup and requests for the scheduling scenarios: an organization with
// specialists working around the clock, clients booking themselves, and the
// public free-slots query.
import type { RequestSpec } from 'autocannon';
import type { Account } from './setup.js';

async function call(url: string, method: string, token: string, body: unknown, expected: number): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== expected) throw new Error(`${method} ${new URL(url).pathname}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export interface Schedule {
  readonly organizationId: string;
  readonly specialistIds: string[];
}

export const SLOT_MINUTES = 15;
const SLOTS_PER_DAY = (24 * 60) / SLOT_MINUTES;

/** YYYY-MM-DD of today (UTC) plus `days`. */
export const dayFromToday = (days: number) => new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + days)).toISOString().slice(0, 10);

/** An organization owned by `owner`, with specialists working every day, all day, in UTC. */
export async function setupSchedule(baseUrl: string, owner: Account, specialists: number): Promise<Schedule> {
  const api = `${baseUrl}/api/v1`;
  const organization = await call(`${api}/organizations`, 'POST', owner.token, { name: 'Bench clinic' }, 201);
  const organizationId = String(organization.id);
  const specialistIds: string[] = [];
  for (let i = 0; i < specialists; i++) {
    const specialist = await call(`${api}/organizations/${organizationId}/specialists`, 'POST', owner.token, { name: `Specialist ${i}` }, 201);
    const id = String(specialist.id);
    await call(`${api}/specialists/${id}/working-hours`, 'PUT', owner.token, {
      time_zone: 'UTC',
      weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
      slot_step_minutes: SLOT_MINUTES,
      buffer_before_minutes: 0,
      buffer_after_minutes: 0,
      min_notice_minutes: 0,
      horizon_days: 366,
    }, 200);
    specialistIds.push(id);
  }
  return { organizationId, specialistIds };
}

/**
 * Connection i books as its own client, on its own days (i+1, i+1+C, ...,
 * from tomorrow), slot after slot: every booking goes to an organization-day
 * stream no other connection touches, and never overlaps another.
 */
export function bookingsFor(schedule: Schedule, clients: readonly Account[], connections: number) {
  // Slots already booked per connection, kept across runs (the warm-up's bookings stay booked).
  const booked = new Map<number, { n: number }>();
  return (i: number): RequestSpec[] => {
    const client = clients[i % clients.length]!;
    const specialist = schedule.specialistIds[i % schedule.specialistIds.length]!;
    const counter = booked.get(i) ?? { n: 0 };
    booked.set(i, counter);
    return [{
      method: 'POST',
      path: `/api/v1/organizations/${schedule.organizationId}/appointments`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${client.token}` },
      // A client booking for themself never sets the price or the service: the organization does.
      setupRequest: (request) => ({ ...request, body: JSON.stringify({ specialist_id: specialist, start: slotStart(i, counter.n++, connections), duration: SLOT_MINUTES }) }),
    }];
  };
}

export interface BookableService extends Schedule {
  readonly serviceId: string;
}

/** A 15-minute service of the catalogue offered by every specialist of the schedule. */
export async function setupService(baseUrl: string, owner: Account, schedule: Schedule): Promise<BookableService> {
  const service = await call(`${baseUrl}/api/v1/organizations/${schedule.organizationId}/services`, 'POST', owner.token, {
    name: 'Bench massage',
    duration_minutes: SLOT_MINUTES,
    price: { amount: 150000, currency: 'RUB' },
    specialist_ids: schedule.specialistIds,
  }, 201);
  return { ...schedule, serviceId: String(service.id) };
}

/**
 * Bookings by service with any specialist: connection i books as its own
 * client on its own days, as bookingsFor does, each slot once and naming no
 * specialist, so the service picks one (the one with the fewest bookings
 * that day: the four take turns). The price and the length come from the
 * service, none from the client.
 */
export function serviceBookingsFor(service: BookableService, clients: readonly Account[], connections: number) {
  const booked = new Map<number, { n: number }>();
  return (i: number): RequestSpec[] => {
    const client = clients[i % clients.length]!;
    const counter = booked.get(i) ?? { n: 0 };
    booked.set(i, counter);
    return [{
      method: 'POST',
      path: `/api/v1/organizations/${service.organizationId}/appointments`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${client.token}` },
      setupRequest: (request) => ({ ...request, body: JSON.stringify({ service_id: service.serviceId, start: slotStart(i, counter.n++, connections) }) }),
    }];
  };
}

/** The n-th slot of connection i: its own days (tomorrow + i, + i + C, ...), slot after slot. */
function slotStart(i: number, n: number, connections: number): string {
  const dayIndex = 1 + i + connections * Math.floor(n / SLOTS_PER_DAY);
  const minutes = (n % SLOTS_PER_DAY) * SLOT_MINUTES;
  return `${dayFromToday(dayIndex)}T${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00+00:00`;
}

/** The public free-slots query for one specialist over the coming week (from tomorrow), 30-minute slots. */
export function slotsFor(schedule: Schedule) {
  return (i: number): RequestSpec[] => {
    const specialist = schedule.specialistIds[i % schedule.specialistIds.length]!;
    return [{ method: 'GET', path: `/api/v1/specialists/${specialist}/slots?from=${dayFromToday(1)}&to=${dayFromToday(7)}&duration=30` }];
  };
}
