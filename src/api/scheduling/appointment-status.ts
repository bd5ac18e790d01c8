import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { AppointmentCommand } from '../../commands/scheduling/appointment.js';
import { changeAppointment } from '../../workflows/scheduling/booking.js';
import type { Role } from '../../events/organizations/organization.js';
import { actorRefOf, AppointmentParams, authorizedAppointment, BOOKERS, presentAppointment } from './appointments.js';
import { metadataOf } from '../metadata.js';
import { EVERYONE } from './scheduling-access.js';
import { AppointmentReply } from './scheduling-schemas.js';
import { errorReplies } from '../schemas.js';
import type { Dependencies } from '../dependencies.js';

// Status changes (seeds 001, 002): pending -> confirmed -> completed;
// pending | confirmed -> cancelled (with a reason and who); confirmed ->
// no_show after its start. Anything else is 409. A client may cancel an
// appointment of the record linked to them; the rest is staff's.

const ATTENDING: readonly Role[] = [...BOOKERS, 'specialist'];

type StatusCommand = Extract<AppointmentCommand, { type: 'ConfirmAppointment' | 'CompleteAppointment' | 'CancelAppointment' | 'MarkNoShow' }>;

const CancelBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) });

export const appointmentStatusRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  const streams = { handle: deps.handle, store: deps.store };

  async function change(request: FastifyRequest, appointmentId: string, roles: readonly Role[], clientMay: boolean, command: (now: string) => StatusCommand) {
    const { row, audience } = await authorizedAppointment(deps, request, appointmentId, roles, clientMay);
    const { position } = await changeAppointment(streams, row.id, command(deps.now().toISOString()), metadataOf(request));
    return presentAppointment(deps, row.id, position, audience);
  }

  const schema = (summary: string) => ({
    tags: ['appointments'],
    summary,
    params: AppointmentParams,
    response: { 200: AppointmentReply, ...errorReplies(400, 401, 403, 404, 409) },
  });
  const config = { access: { kind: 'authenticated' as const, principals: EVERYONE } };

  app.post('/appointments/:id/confirm', { config, schema: schema('Confirm a pending appointment (owner, admin, manager, specialist).') }, async (request) =>
    change(request, request.params.id, ATTENDING, false, (now) => ({ type: 'ConfirmAppointment', data: { by: actorRefOf(request), now } })),
  );

  app.post('/appointments/:id/complete', { config, schema: schema('Complete a confirmed appointment (owner, admin, manager, specialist).') }, async (request) =>
    change(request, request.params.id, ATTENDING, false, (now) => ({ type: 'CompleteAppointment', data: { now } })),
  );

  app.post('/appointments/:id/no-show', {
    config,
    schema: schema('Mark a confirmed appointment whose start has passed as a no-show (owner, admin, manager, specialist).'),
  }, async (request) =>
    change(request, request.params.id, ATTENDING, false, (now) => ({ type: 'MarkNoShow', data: { now } })),
  );

  app.post('/appointments/:id/cancel', {
    config,
    schema: { ...schema('Cancel a pending or confirmed appointment (owner, admin, manager; or its client). It stays visible as cancelled.'), body: CancelBody },
    // The reason is optional, and so is the whole body.
    preValidation: async (request) => {
      request.body ??= {};
    },
  }, async (request) =>
    change(
      request,
      request.params.id,
      BOOKERS,
      true,
      (now) => ({ type: 'CancelAppointment', data: { reason: request.body.reason ?? '', by: actorRefOf(request), now } })
    ),
  );
};
