import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { FastifyRequest } from 'fastify';
import { listAppointments, type AppointmentFilter } from '../../projections/scheduling/appointment-queries.js';
import type { AppointmentRow } from '../../projections/scheduling/tables.js';
import { linkedRecordIds } from '../../projections/clients/client-record-queries.js';
import { STAFF } from '../access.js';
import { clientTarget } from '../clients/client-access.js';
import { AppointmentReply, appointmentReplyFor, PeriodQuery, periodFilter, type Audience } from './scheduling-schemas.js';
import { errorReplies, Uuid } from '../schemas.js';
import type { Dependencies } from '../dependencies.js';

// Seed 001 "sessions": appointments with place, specialist, status and cost,
// oldest first. The person sees theirs across every organization whose
// record they linked; staff see their organization's record's.

const SessionsQuery = Type.Object(PeriodQuery);

export const clientSessionRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  app.get('/clients/:client/sessions', {
    config: { access: { kind: 'authenticated', principals: ['client', ...STAFF] } },
    schema: {
      tags: ['clients'],
      summary: 'Appointments (sessions): yours across organizations (a client), or a record’s (staff); filtered by status and period.',
      params: Type.Object({ client: Uuid }),
      querystring: SessionsQuery,
      response: { 200: Type.Array(AppointmentReply), ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => {
    const { rows, audience } = await sessionsOf(deps, request, request.params.client, periodFilter(request.query));
    return rows.map(appointmentReplyFor(audience));
  });
};

/** The sessions `id` names for the caller (seeds 001 here and in its own profile), and as whom the caller sees them. */
export async function sessionsOf(
  deps: Dependencies, request: FastifyRequest, id: string, filter: AppointmentFilter
): Promise<{ rows: AppointmentRow[]; audience: Audience }> {
  const target = await clientTarget(deps, request, id, 'read');
  if (target.kind === 'record') {
    const rows = await listAppointments(deps.db, { organizationIds: [target.record.organization_id], clientId: target.record.id, ...filter });
    return { rows, audience: 'staff' };
  }
  const records = await linkedRecordIds(deps.db, target.accountId);
  // The person sees who acted by kind only: staff ids are their organizations' business.
  return { rows: records.length === 0 ? [] : await listAppointments(deps.db, { clientIds: records, ...filter }), audience: 'client' };
}
