import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DomainError, invalid } from '../../commands/errors.js';
import { activeSpecialistOf, closedPlaces, heldTimesAround } from '../../workflows/scheduling/schedule-reads.js';
import { freeSlots } from '../../commands/scheduling/free-slots.js';
import { expandWorkingHours } from '../../commands/scheduling/working-hours.js';
import { addDays, datesBetween, formatInstant } from '../../commands/scheduling/zoned-time.js';
import { Duration, LocalDate, ZonedTime } from './scheduling-schemas.js';
import { SpecialistParams } from './specialists.js';
import { errorReplies, Uuid } from '../schemas.js';
import type { Dependencies } from '../dependencies.js';
import { named } from '../openapi/components.js';

// Free slots (seed 002, public): computed from the specialist's stream (hours,
// zone, policy) and an in-memory fold of the organization-days around the
// dates asked for; no table is scanned. See src/commands/scheduling/free-slots.ts for
// the rules.

const MAX_DAYS = 7;

const SlotsQuery = Type.Object({
  date: Type.Optional(LocalDate),
  from: Type.Optional(LocalDate),
  to: Type.Optional(Type.String({ format: 'date', description: `YYYY-MM-DD, at most ${MAX_DAYS} days from "from" (included).` })),
  duration: Duration,
});

export const Slot = named('Slot', Type.Object({ start: ZonedTime, end: ZonedTime, place_id: Type.Union([Uuid, Type.Null()]) }, { description: 'A free time of a specialist, with offsets in the specialist’s time zone.' }));

/** The local dates a slot query asks for: one `date`, or `from` to `to` included, at most `maxDays`. */
export function datesOf(query: { date?: string; from?: string; to?: string }, maxDays = MAX_DAYS): string[] {
  if (query.date !== undefined && query.from !== undefined) throw invalid('date', 'Give a date, or a range with from and to, not both.');
  const from = query.date ?? query.from;
  if (from === undefined) throw invalid('date', 'This field is required.');
  const to = query.date ?? query.to ?? from;
  if (to < from) throw invalid('to', 'Must not be before from.');
  if (to > addDays(from, maxDays - 1)) throw invalid('to', `At most ${maxDays} days at once.`);
  return datesBetween(from, to);
}

/**
 * The free slots of a specialist on these dates, as the public reads them;
 * without a duration, slots one step of the specialist's grid long (seed 002
 * asks for "the schedule" and names no duration).
 */
export async function freeSlotsOf(deps: Pick<Dependencies, 'store' | 'now'>, specialistId: string, dates: readonly string[], durationMinutes?: number) {
  const { store } = deps;
  const specialist = await activeSpecialistOf(store, specialistId);
  if (!specialist) throw new DomainError('not_found', 'Not found.');
  const { hours } = specialist;
  if (!hours) return [];
  const first = dates[0]!;
  const last = dates.at(-1)!;
  const working = expandWorkingHours(hours, addDays(first, -1), last);
  const [held, closed] = await Promise.all([
    heldTimesAround(store, specialist.organizationId, first, last),
    closedPlaces(store, working.flatMap((w) => (w.placeId === null ? [] : [w.placeId])), specialist.organizationId),
  ]);
  const slots = freeSlots({
    specialistId: specialist.specialistId,
    timeZone: hours.timeZone,
    dates,
    durationMinutes: durationMinutes ?? hours.policy.stepMinutes,
    policy: hours.policy,
    working,
    held,
    closedPlaces: closed,
    now: deps.now().getTime(),
  });
  return slots.map((s) => ({ start: formatInstant(s.start, hours.timeZone), end: formatInstant(s.end, hours.timeZone), place_id: s.placeId }));
}

export const slotRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  app.get('/specialists/:id/slots', {
    config: { access: { kind: 'public' } },
    schema: {
      tags: ['specialists'],
      summary: 'Free slots of a specialist on a date (or from..to, up to a week), with offsets in the specialist’s time zone (public).',
      params: SpecialistParams,
      querystring: SlotsQuery,
      response: { 200: Type.Array(Slot), ...errorReplies(400, 404) },
    },
  }, async (request) => freeSlotsOf(deps, request.params.id, datesOf(request.query), request.query.duration));
};
