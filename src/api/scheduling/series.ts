import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { cancelSeries } from '../../workflows/scheduling/series.js';
import { DomainError } from '../../commands/errors.js';
import { appointmentsOfSeries } from '../../projections/scheduling/appointment-queries.js';
import { actorRefOf, authorizedAppointment, BOOKERS } from './appointments.js';
import { metadataOf } from '../metadata.js';
import { EVERYONE } from './scheduling-access.js';
import { errorReplies, Uuid } from '../schemas.js';
import type { Dependencies } from '../dependencies.js';

// A weekly series (booked by POST /organizations/{org}/appointments with
// `repeat`) cancelled as a whole, by whoever may cancel one of its
// appointments: owners, admins and managers of its organization, or the
// person linked to its client record. Each occurrence stays an appointment
// of its own; the series is the occurrences that name it.

const SeriesParams = Type.Object({ series: Uuid });
const CancelBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) });
const CancelledSeries = Type.Object({
  series_id: Uuid,
  /** The occurrences this call cancelled: those still active and ahead. */
  cancelled: Type.Array(Uuid),
});

export const seriesRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  const streams = { handle: deps.handle, store: deps.store };

  app.post('/series/:series/cancel', {
    config: { access: { kind: 'authenticated', principals: EVERYONE } },
    schema: {
      tags: ['appointments'],
      summary: 'Cancel every occurrence of a weekly series still ahead (owner, admin, manager; or its client). Those begun, completed or cancelled stay.',
      params: SeriesParams,
      body: CancelBody,
      response: { 200: CancelledSeries, ...errorReplies(400, 401, 403, 404) },
    },
    // The reason is optional, and so is the whole body.
    preValidation: async (request) => {
      request.body ??= {};
    },
  }, async (request) => {
    const seriesId = request.params.series;
    const occurrences = await appointmentsOfSeries(deps.db, seriesId);
    if (occurrences.length === 0) throw new DomainError('not_found', 'Not found.');
    // One client record and one organization for every occurrence: who may cancel one of them may cancel the series.
    await authorizedAppointment(deps, request, occurrences[0]!.id, BOOKERS, true);
    const cancel = { reason: request.body.reason ?? '', by: actorRefOf(request), now: deps.now() };
    const { cancelled, position } = await cancelSeries(streams, occurrences.map((o) => o.id), cancel, metadataOf(request));
    // The reply is not read from the read model; waiting lets the caller's next read show the cancellations.
    await deps.awaitProjections(position, ['appointments']);
    return { series_id: seriesId, cancelled };
  });
};
