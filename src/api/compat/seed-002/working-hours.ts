import Type from 'typebox';
import { DomainError } from '../../../commands/errors.js';
import type { WorkingHours } from '../../../events/scheduling/specialist.js';
import { findSpecialist } from '../../../projections/scheduling/specialists.js';
import { STAFF } from '../../access.js';
import type { Routes } from '../../dependencies.js';
import { Duration, LocalDate } from '../../scheduling/scheduling-schemas.js';
import { freeSlotsOf, Slot } from '../../scheduling/slots.js';
import { HoursBody, HoursReply, hoursReply, setWorkingHours } from '../../scheduling/working-hours.js';
import { drfReplies } from '../drf.js';
import { WorkerParams } from './workers.js';

// A worker's schedule (seed 002 names no path; these are ours): the free
// slots of a day and the weekly hours, public, since "unregistered users and
// users with Client rights can ... select the schedule of a specialist"; the
// hours are set by the clinic's owners and admins. Shapes are /api/v1's.

const ScheduleQuery = Type.Object({
  date: LocalDate,
  duration: Type.Optional({ ...Duration, description: 'Minutes; by default one step of the worker’s slot grid.' }),
});

export const workingHoursRoutes: Routes = async (app, { deps }) => {
  app.get('/workers/:id/schedule/', {
    config: { access: { kind: 'public' } },
    schema: {
      summary: 'The free slots of a worker on a date, with offsets in the worker’s time zone (public; seed 002).',
      params: WorkerParams,
      querystring: ScheduleQuery,
      response: { 200: Type.Array(Slot), ...drfReplies(400, 404) },
    },
  }, async (request) => freeSlotsOf(deps, request.params.id, [request.query.date], request.query.duration));

  app.get('/workers/:id/working-hours/', {
    config: { access: { kind: 'public' } },
    schema: {
      summary: 'The weekly hours of a worker, with date exceptions and the booking policy (public; seed 002).',
      params: WorkerParams,
      response: { 200: HoursReply, ...drfReplies(400, 404) },
    },
  }, async (request) => {
    const row = await findSpecialist(deps.db, request.params.id);
    if (!row) throw new DomainError('not_found', 'Not found.');
    return hoursReply(row.id, row.working_hours as WorkingHours | null);
  });

  app.put('/workers/:id/working-hours/', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      summary: 'Replace the working hours of a worker (owner, admin; seed 002).',
      params: WorkerParams,
      body: HoursBody,
      response: { 200: HoursReply, ...drfReplies(400, 401, 403, 404, 415) },
    },
  }, async (request) => setWorkingHours(deps, request, request.params.id, request.body));
};
