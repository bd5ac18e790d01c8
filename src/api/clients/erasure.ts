import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import Type from 'typebox';
import { eraseClient } from '../../workflows/clients/erase-client.js';
import { eraseRecord } from '../../workflows/clients/erase-record.js';
import { DomainError } from '../../commands/errors.js';
import { isPlatformAdmin } from '../../projections/organizations/organization-queries.js';
import type { Position } from '../../store/port.js';
import { organizationGrantOf, STAFF } from '../access.js';
import { principalOf } from '../authenticate.js';
import { checkReauthentication } from '../identity/reauthentication.js';
import { ReauthenticationFields } from './client-reauthentication.js';
import { metadataOf } from '../metadata.js';
import { errorReplies, Uuid } from '../schemas.js';
import type { Dependencies } from '../dependencies.js';

// Erasure (GDPR art. 17; docs/privacy.md, "Erasure"): a person's account with
// the organizations' records it links, or one organization's record. The
// reply comes once the read models show it (200); past the read-your-writes
// wait it is a 202 with the same body: the erasure is done (keys destroyed,
// sessions ended), only the read models follow a moment later. Either way
// it carries nothing read from them.

const Erased = Type.Object({
  erased: Type.Literal(true, { description: 'The keys are destroyed: every personal field reads "[erased]" from now on.' }),
  records: Type.Integer({ minimum: 0, description: 'How many organizations’ records were erased (an account’s linked ones; 1 for a record).' }),
  events_in_clear: Type.Integer({
    minimum: 0,
    description: 'Events about the person written before events were encrypted: destroying keys cannot forget them (docs/privacy.md); 0 on databases created since.',
  }),
});

const READ_MODELS = ['client-accounts', 'client-records', 'appointments'];

const notFound = () => new DomainError('not_found', 'Not found.');

const WRONG_PROOF = 'The password or the code is not correct.';

export const erasureRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  async function reply(reply: FastifyReply, position: Position | undefined, records: number, eventsInClear: number) {
    const visible = await deps.awaitProjections(position, READ_MODELS);
    return reply.code(visible ? 200 : 202).send({ erased: true as const, records, events_in_clear: eventsInClear });
  }

  app.post('/clients/me/erasure', {
    config: { access: { kind: 'authenticated', principals: ['client'] } },
    schema: {
      tags: ['clients'],
      summary:
        'Erase my account and the organizations’ records linked to it, with `current_password` or a `code` from POST /auth/reauthenticate: ' +
        'my personal data reads "[erased]" everywhere, every session ends, my phone may be registered again. Organizations keep their ' +
        'appointments and amounts (shown as erased). 403 on a wrong password or code (nothing erased).',
      body: Type.Object(
        { current_password: ReauthenticationFields.properties.current_password, code: ReauthenticationFields.properties.code },
        { minProperties: 1, description: 'Proof that it is you: your current password, or a fresh code.' },
      ),
      response: { 200: Erased, 202: Erased, ...errorReplies(400, 401, 403, 404, 429) },
    },
  }, async (request, res) => {
    const clientId = principalOf(request).id;
    const { current_password: currentPassword, code } = request.body;
    try {
      await checkReauthentication(deps, { subject: { id: clientId, kind: 'client' }, currentPassword, code });
    } catch (error) {
      // Proof that opens nothing is a refusal of the act, not bad input: nothing is erased.
      if (error instanceof DomainError && error.kind === 'invalid') throw new DomainError('forbidden', WRONG_PROOF, error.fields);
      throw error;
    }
    const erased = await eraseClient(deps, { clientId, by: 'client', now: deps.now() }, metadataOf(request));
    return reply(res, erased.position, erased.records.length, erased.eventsInClear);
  });

  app.post('/clients/:client/erasure', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      tags: ['clients'],
      summary:
        'A platform admin erases a person’s account (and the records it links) on their verified request, giving the `reason` (recorded ' +
        'with the event, which holds no personal data). Asking again finishes an erasure a failure interrupted. Others: 404.',
      params: Type.Object({ client: Uuid }),
      body: Type.Object({
        reason: Type.String({ minLength: 1, maxLength: 500, description: 'Why, e.g. the reference of the person’s verified request (recorded).' }),
      }),
      response: { 200: Erased, 202: Erased, ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request, res) => {
    if (!(await isPlatformAdmin(deps.db, principalOf(request).id))) throw notFound();
    // The account's decider answers 404 for an id that names no account, and finishes an erasure a crash interrupted.
    const erased = await eraseClient(deps, { clientId: request.params.client, by: 'platform_admin', now: deps.now() }, { ...metadataOf(request), reason: request.body.reason });
    return reply(res, erased.position, erased.records.length, erased.eventsInClear);
  });

  app.post('/organizations/:org/clients/:client/erasure', {
    config: { access: { kind: 'organization', param: 'org', roles: ['owner', 'admin', 'manager'] } },
    schema: {
      tags: ['clients'],
      summary:
        'Erase the organization’s record of a client (removed or not), unlinking it from the person’s account: what it noted reads "[erased]"; ' +
        'its appointments stay in the books. The person’s account and other organizations’ records are untouched.',
      params: Type.Object({ org: Uuid, client: Uuid }),
      response: { 200: Erased, 202: Erased, ...errorReplies(401, 403, 404) },
    },
  }, async (request, res) => {
    const { organizationId } = organizationGrantOf(request);
    const erased = await eraseRecord(deps, { recordId: request.params.client, organizationId, now: deps.now() }, metadataOf(request));
    return reply(res, erased.position, 1, erased.eventsInClear);
  });
};
