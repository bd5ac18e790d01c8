import type { Kysely } from 'kysely';
import { issueCode, type CodePurpose } from '../../auth/codes.js';
import type { Database } from '../../db/database.js';
import type { ContactStreams } from '../../events/identity/contact.js';
import type { Projection } from '../../projections/projection.js';
import type { EventStore } from '../../store/port.js';
import type { EmailSender } from '../../jobs/providers/email.js';
import type { SmsSender } from '../../jobs/providers/sms.js';
import { withTimeout, type JobHandler, type JobQueue, type Logger } from '../../jobs/queue.js';
import { ERASED } from '../../events/personal.js';

// Code requests recorded in the log become "send-code" jobs; the worker makes
// the code, keeps its HMAC and sends it. Neither the event nor the job ever
// holds the code.

export const SEND_CODE = 'send-code';

type Channel = 'sms' | 'email';

interface Delivery {
  readonly purpose: CodePurpose;
  /** Fixed, or read from the event when the account chose (a re-authentication goes to what is verified). */
  readonly channel: Channel | ((data: Record<string, string>) => Channel | undefined);
  readonly subjectKind: 'client' | 'user';
  readonly subjectId: (data: Record<string, string>) => string | undefined;
  readonly destination: (data: Record<string, string>) => string | undefined;
}

const deliveries: Readonly<Record<string, Delivery>> = {
  PhoneVerificationRequested: { purpose: 'phone_verification', channel: 'sms', subjectKind: 'client', subjectId: (d) => d.clientId, destination: (d) => d.phone },
  LoginCodeRequested: { purpose: 'login', channel: 'sms', subjectKind: 'client', subjectId: (d) => d.clientId, destination: (d) => d.phone },
  ClientReauthenticationRequested: { purpose: 'reauthentication', channel: 'sms', subjectKind: 'client', subjectId: (d) => d.clientId, destination: (d) => d.phone },
  EmailVerificationRequested: { purpose: 'email_verification', channel: 'email', subjectKind: 'user', subjectId: (d) => d.userId, destination: (d) => d.email },
  StaffPhoneVerificationRequested: { purpose: 'phone_verification', channel: 'sms', subjectKind: 'user', subjectId: (d) => d.userId, destination: (d) => d.phone },
  UserReauthenticationRequested: {
    purpose: 'reauthentication',
    channel: (d) => (d.channel === 'email' || d.channel === 'sms' ? d.channel : undefined),
    subjectKind: 'user',
    subjectId: (d) => d.userId,
    destination: (d) => d.destination,
  },
};

const SUBJECTS: Record<CodePurpose, string> = {
  phone_verification: 'Your verification code',
  email_verification: 'Your verification code',
  login: 'Your login code',
  reauthentication: 'Your confirmation code',
};

const minutes = (ms: number) => Math.round(ms / 60_000);

const ENQUEUE_TIMEOUT_MS = 3000;

/**
 * The reactor: a projection whose effect is a job. The job id is the event
 * id, so a batch replayed after a crash enqueues nothing twice; a queue that
 * cannot be reached fails the batch, which is retried from the checkpoint.
 */
export function codeDeliveryReactor(jobs: JobQueue): Projection {
  return {
    name: 'reactor-code-delivery',
    canHandle: Object.keys(deliveries),
    async apply(_trx, events) {
      for (const event of events) {
        // A queue that is down would hold the batch (and its checkpoint lock) open
        // indefinitely; failing it makes the stall visible and retried.
        await withTimeout(jobs.enqueue(SEND_CODE, { stream: event.stream, eventId: event.id }, { jobId: `code-${event.id}` }), ENQUEUE_TIMEOUT_MS);
      }
    },
    // Replaying requests would send old codes again: a reactor is never rebuilt.
    async reset() {
      throw new Error('a reactor cannot be rebuilt');
    },
  };
}

export function sendCodeHandler(deps: {
  db: Kysely<Database>;
  store: EventStore;
  secret: Buffer;
  contacts: ContactStreams;
  sms: SmsSender;
  email: EmailSender;
  now: () => Date;
  codeTtlMs: number;
  logger: Logger;
}): JobHandler<Record<string, string>> {
  return async ({ stream, eventId }) => {
    if (!stream || !eventId) throw new Error('send-code job without stream and eventId');
    const event = (await deps.store.readStream(stream)).find((e) => e.id === eventId);
    if (!event) throw new Error(`send-code: event ${eventId} not found in ${stream}`);
    const delivery = deliveries[event.type];
    const data = event.data as Record<string, string>;
    const subjectId = delivery?.subjectId(data);
    const destination = delivery?.destination(data);
    const challengeId = data.challengeId;
    const channel = typeof delivery?.channel === 'function' ? delivery.channel(data) : delivery?.channel;
    if (!delivery || !channel || !subjectId || !destination || !challengeId) throw new Error(`send-code: event ${eventId} (${event.type}) is not a code request`);
    // The person was erased since they asked: there is nobody to send to, and nothing to retry.
    if (destination === ERASED) {
      deps.logger.info({ eventId, purpose: delivery.purpose }, 'code not sent: its destination was erased');
      return;
    }

    const code = await issueCode(deps.db, deps.secret, { id: challengeId, purpose: delivery.purpose, subject: { id: subjectId, kind: delivery.subjectKind }, destination: deps.contacts.destination(destination), now: deps.now() });
    if (code === undefined) return; // already used: nothing left to send
    const kind = delivery.purpose === 'login' ? 'login' : delivery.purpose === 'reauthentication' ? 'confirmation' : 'verification';
    const text = `Your ${kind} code is ${code}. It expires in ${minutes(deps.codeTtlMs)} minutes. Do not share it.`;
    if (channel === 'sms') await deps.sms.send(destination, text);
    else await deps.email.send(destination, SUBJECTS[delivery.purpose], text);
  };
}
