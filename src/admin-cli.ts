import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { DomainError } from './commands/errors.js';
import type { CommandHandler } from './commands/handler.js';
import { createPlatformAdmin } from './workflows/identity/staff-accounts.js';
import type { Database } from './db/database.js';
import type { VerifyFailure } from './commands/audit/chain.js';
import type { CatalogedEventStore } from './store/cataloged.js';
import type { EventStore } from './store/port.js';
import type { ContactStreams } from './events/identity/contact.js';
import { anchorLog } from './workflows/audit/anchor-log.js';
import { verifyLog, verifyStream, type VerifyProgress } from './workflows/audit/verify.js';
import { startProgress, type ProgressStream } from './cli/progress.js';

// The operator's commands beside cli.ts's plumbing.
//
// `npm run cli -- admin create --email E --password P [...]`: the only way to
// make a platform admin. It appends events like any command; the service's
// projector brings them into the read models, whether or not it runs now.

/** node:util parseArgs options of `admin create` (cli.ts parses with them). */
export const ADMIN_OPTIONS = {
  email: { type: 'string' },
  password: { type: 'string' },
  phone: { type: 'string' },
  'first-name': { type: 'string' },
  'last-name': { type: 'string' },
  patronymic: { type: 'string' },
  address: { type: 'string' },
} as const;

export const ADMIN_USAGE = `  admin create --email E --password P    register a staff user who is a platform admin; prints its id
      [--first-name F] [--last-name L] [--patronymic P] [--address A] [--phone N]`;

export type AdminCreateInput = Partial<Record<keyof typeof ADMIN_OPTIONS, string | boolean | undefined>>;

export interface AdminCreateDeps {
  readonly handle: CommandHandler;
  readonly store: EventStore;
  readonly contacts: ContactStreams;
  readonly db: Kysely<Database>;
  readonly normalizePhone: (input: string) => string | undefined;
  readonly now?: () => Date;
  readonly newId?: () => string;
  readonly stdout?: (line: string) => void;
  readonly stderr?: (line: string) => void;
}

// The same rules as POST /api/v1/users, for input that never passes the HTTP schemas.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const text = (value: string | boolean | undefined) => (typeof value === 'string' ? value.trim() : '');

/** Exit code: 0 created, 1 refused (the email or phone is owned by someone else), 64 bad input. */
export async function adminCreate(input: AdminCreateInput, deps: AdminCreateDeps): Promise<number> {
  const stdout = deps.stdout ?? ((line: string) => process.stdout.write(`${line}\n`));
  const stderr = deps.stderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  const email = text(input.email).toLowerCase();
  const password = typeof input.password === 'string' ? input.password : '';
  const phoneInput = text(input.phone);
  const phone = phoneInput === '' ? null : (deps.normalizePhone(phoneInput) ?? undefined);

  const problems: string[] = [];
  if (!EMAIL.test(email)) problems.push('--email: a valid email address is required');
  if (password.length < 8) problems.push('--password: at least 8 characters are required');
  if (phone === undefined) problems.push(`--phone: "${phoneInput}" is not a valid phone number`);
  if (problems.length > 0 || phone === undefined) {
    for (const problem of problems) stderr(problem);
    return 64;
  }

  const id = (deps.newId ?? randomUUID)();
  const correlationId = randomUUID();
  try {
    await createPlatformAdmin(
      deps,
      {
        userId: id,
        email,
        phone,
        password,
        profile: { firstName: text(input['first-name']), lastName: text(input['last-name']), patronymic: text(input.patronymic), address: text(input.address) },
        now: (deps.now ?? (() => new Date()))(),
      },
      { actor: { kind: 'system' }, correlationId, causationId: correlationId },
    );
  } catch (error) {
    if (!(error instanceof DomainError) || error.kind !== 'conflict') throw error;
    stderr(`Error: ${error.message} No admin was created.`);
    return 1;
  }
  stdout(id);
  return 0;
}

// `npm run cli -- audit verify [stream]` and `audit anchor` (docs/audit.md).

export const AUDIT_USAGE = `  audit verify [stream]          check the log as stored: every stream's hash chain and every anchor's
                                 digest (one stream's chain when named); exit 1 names the first event
                                 that does not verify
  audit anchor                   anchor the log now (a digest of every event since the last anchor)`;

/** Verification's progress (src/cli/progress.ts): a bar on a terminal, plain lines otherwise. */
function progressReporter(stream: ProgressStream, total: number | undefined) {
  const progress = startProgress({ label: 'audit verify', total, stream });
  return ({ done, finished }: VerifyProgress) => (finished ? progress.finish(done) : progress.update(done));
}

const named = (f: VerifyFailure) => `stream ${f.stream} version ${f.version} (event ${f.eventId}, ${f.type}, at ${f.position}): ${f.why}`;

/** Exit code: 0 the log (or stream) verifies, 1 it does not (the first event that fails is named). */
export async function auditVerify(raw: EventStore, stream: string | undefined, total: number | undefined): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  if (stream !== undefined) {
    const result = await verifyStream(raw, stream);
    if (result.failure) {
      say(`NOT VERIFIED after ${result.events} events: ${named(result.failure)}`);
      return 1;
    }
    if (result.events === 0) {
      say(`no stream ${stream}`);
      return 1;
    }
    say(`stream ${stream} verified: ${result.events} events, last hash ${result.head}`);
    return 0;
  }
  const result = await verifyLog(raw, { ...(total !== undefined ? { total } : {}), onProgress: progressReporter(process.stderr, total) });
  if (result.failure) {
    say(`NOT VERIFIED after ${result.events} events: ${named(result.failure)}`);
    return 1;
  }
  say(`log verified: ${result.events} events in ${result.streams} streams, ${result.anchors} anchors`);
  say(result.lastAnchor ? `last anchor: ${result.lastAnchor.digest} (up to ${result.lastAnchor.upTo}, ${result.lastAnchor.anchoredAt})` : 'last anchor: none yet');
  say(`head: ${result.head ?? 'empty log'}`);
  return 0;
}

export async function auditAnchor(store: CatalogedEventStore): Promise<number> {
  const anchored = await anchorLog(store, new Date());
  process.stdout.write(anchored ? `anchored ${anchored.events} events up to ${anchored.upTo}: ${anchored.digest}\n` : 'nothing to anchor: no event since the last anchor, or another process anchored first\n');
  return 0;
}
