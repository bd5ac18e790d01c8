import Type from 'typebox';
import type { AppointmentStatus } from '../../../events/scheduling/appointment.js';
import { Nullable } from '../../../events/schema.js';
import type { AppointmentRow } from '../../../projections/scheduling/tables.js';
import type { Routes } from '../../dependencies.js';
import { sessionsOf } from '../../scheduling/client-sessions.js';
import { PeriodQuery, periodFilter, ZonedTime } from '../../scheduling/scheduling-schemas.js';
import { formatInstant } from '../../../commands/scheduling/zoned-time.js';
import { errorReplies, Uuid } from '../../schemas.js';
import { ClientIdParams, signedIn } from './schemas.js';
import { named } from '../../openapi/components.js';

// Seed 001's sessions: the client's appointments as /api/v1/clients/{id}/sessions
// lists them (same people, same rows), in the document's words: the place is
// the "spot", the status a Russian word, the cost a number of roubles.

/** "проведена" and "на согласовании" are the document's; the other three are ours, in its manner. */
export const STATUS_WORDS: Record<AppointmentStatus, string> = {
  pending: 'на согласовании',
  confirmed: 'подтверждена',
  completed: 'проведена',
  cancelled: 'отменена',
  no_show: 'неявка',
};

const Session = named('Seed001Session', Type.Object({
  session_id: Uuid,
  spot_id: Type.Union([Uuid, Type.Null()], { description: 'The place; null when the appointment has none.' }),
  status: Type.Enum(Object.values(STATUS_WORDS)),
  cost: Nullable(Type.Number({ description: 'In major units (roubles for RUB): 3000 for 300000 kopecks; null until staff set a price.' })),
  currency: Nullable(Type.String({ description: 'ISO 4217 of `cost`.' })),
  start: ZonedTime,
  end: ZonedTime,
  specialist_id: Uuid,
  organization_id: Uuid,
}, { description: 'Seed 001: a session (an appointment) of the client.' }));

/** Minor units per major unit, as ICU knows the currency (2 for RUB, 0 for JPY). */
const fractionDigits = (currency: string) => new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

function session(row: AppointmentRow) {
  const currency = row.cost_amount === null || row.cost_currency === null ? null : row.cost_currency;
  return {
    session_id: row.id,
    spot_id: row.place_id,
    status: STATUS_WORDS[row.status],
    cost: currency === null ? null : Number(row.cost_amount) / 10 ** fractionDigits(currency),
    currency,
    start: formatInstant(new Date(row.starts_at).getTime(), row.time_zone),
    end: formatInstant(new Date(row.ends_at).getTime(), row.time_zone),
    specialist_id: row.specialist_id,
    organization_id: row.organization_id,
  };
}

const { from, to, limit, offset } = PeriodQuery;

export const sessionsRoutes: Routes = async (app, { deps }) => {
  app.get('/clients/:client_id/sessions', {
    config: signedIn,
    schema: {
      summary: 'Your sessions (appointments) across organizations, oldest first; staff: their organization’s record’s. The document’s empty body `{}` ' +
        'may be sent and is ignored. Optional period and page: from, to, limit (100), offset.',
      params: ClientIdParams,
      querystring: Type.Object({ from, to, limit, offset }),
      response: { 200: Type.Array(Session), ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => {
    const { rows } = await sessionsOf(deps, request, request.params.client_id, periodFilter(request.query));
    return rows.map(session);
  });
};
