import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { listAppointments } from '../projections/appointment-queries.js';
import { STAFF } from './access.js';
import { authorizeClient, visibleOrganizations } from './client-access.js';
import { AppointmentReply, appointmentReply, PeriodQuery, periodFilter } from './scheduling-schemas.js';
import { errorReplies, Uuid } from './schemas.js';
import type { Services } from './services.js';

// Seed 001 "sessions": a client's appointments with place, specialist,
// status and cost, oldest first. Staff see only those of the organizations
// they are staff of; the client and a platform admin see all.

const SessionsQuery = Type.Object(PeriodQuery);

export const clientSessionRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get('/clients/:client/sessions', {
    config: { access: { kind: 'authenticated', principals: ['client', ...STAFF] } },
    schema: {
      tags: ['clients'],
      summary: 'The client’s appointments (sessions), filtered by status and period.',
      security: [{ bearer: [] }],
      params: Type.Object({ client: Uuid }),
      querystring: SessionsQuery,
      response: { 200: Type.Array(AppointmentReply), ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => {
    const clientId = request.params.client.toLowerCase();
    const viewer = await authorizeClient(services, request, clientId, 'read');
    const q = request.query;
    const rows = await listAppointments(services.db, {
      clientId,
      ...(viewer.kind === 'staff' ? { organizationIds: visibleOrganizations(viewer, viewer.organizationIds) } : {}),
      ...periodFilter(q),
    });
    return rows.map(appointmentReply);
  });
};
