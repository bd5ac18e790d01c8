import { parseArgs } from 'node:util';
import { ADMIN_OPTIONS, ADMIN_USAGE, adminCreate, AUDIT_USAGE, auditAnchor, auditVerify, type AdminCreateInput } from './admin-cli.js';
import { phoneNormalizer } from './api/phone.js';
import { createCommandHandler } from './commands/handler.js';
import { migrateToTrustModel } from './workflows/clients/migrate-trust-model.js';
import { openContactStreams } from './workflows/identity/contact-index.js';
import { pseudonymiseContactStreams } from './workflows/identity/migrate-contact-streams.js';
import { openDatabase, openEventStore, projections } from './compose.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { migrateToLatest } from './db/migrate.js';
import { listParked } from './projections/parking.js';
import { rebuildProjection } from './projections/rebuild.js';
import type { Projection } from './projections/projection.js';
import { clientAuditDecider } from './commands/clients/client-audit.js';
import type { CommandHandler } from './commands/handler.js';
import { clientAuditStream } from './events/clients/client-audit.js';
import { clientHistory, type HistoryView } from './workflows/clients/client-history.js';
import { clientRecordAuditStream } from './events/clients/client-record.js';
import { findClientRecord } from './projections/clients/client-records.js';
import { appointmentIdsOfRecord } from './projections/scheduling/appointment-queries.js';
import type { Kysely } from 'kysely';
import type { Database } from './db/database.js';
import type { CatalogedEventStore } from './store/cataloged.js';
import { START } from './store/port.js';
import { EmbeddedDatabaseLocked, LOCKED_EXIT_CODE, lockEmbeddedDatabase, type HeldLock } from './cli/lock.js';
import { readingCounter, tableCounter } from './cli/log-counts.js';
import { followerStatuses, reactorsOf, statusTable } from './cli/projection-status.js';
import { startProgress, type Progress } from './cli/progress.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An operator's look, like a platform admin's: an account's or a record's whole history. */
async function printClientHistory(id: string | undefined, handle: CommandHandler, store: CatalogedEventStore, db: Kysely<Database>): Promise<number> {
  if (!id || !UUID.test(id)) {
    process.stderr.write('Usage: npm run cli -- clients history <account or record id (uuid)>\n');
    return 64;
  }
  const clientId = id.toLowerCase();
  const record = await findClientRecord(db, clientId);
  const view: HistoryView = record
    ? { kind: 'record', recordId: clientId, appointmentIds: await appointmentIdsOfRecord(db, clientId), named: 'all' }
    : { kind: 'account', accountId: clientId };
  const entries = await clientHistory(store, view);
  if (entries.length === 0) {
    process.stderr.write(`No client ${clientId}\n`);
    return 1;
  }
  const now = new Date().toISOString();
  const cli = `cli-${process.pid}`;
  const viewer = { kind: 'system', id: 'cli' };
  await handle(
    clientAuditDecider,
    record ? clientRecordAuditStream(clientId) : clientAuditStream(clientId),
    {
      type: 'RecordHistoryView',
      data: { subject: record ? { kind: 'record', recordId: clientId, organizationId: record.organization_id } : { kind: 'account', clientId }, viewer, asOf: null, now },
    },
    { actor: { kind: 'system', id: 'cli' }, correlationId: cli, causationId: cli },
  );
  for (const entry of entries) process.stdout.write(`${JSON.stringify(entry)}\n`);
  return 0;
}

const USAGE = `Usage: npm run cli -- <command>

  migrate                        apply pending database migrations (and move data written
                                 before the trust model into it, once)
  projections status             every read model and reactor: its checkpoint, how far behind the head
                                 of the log it is (events, and seconds since the oldest event it has
                                 not applied was recorded) and how many events it parked
  projections rebuild [name...]  empty read models and replay the event log into them
                                 (every projection when no name is given)
  projections parked [name]      events a projection could not apply and set aside, as JSON lines
  projections retry <name...>    apply parked events again: rebuilds those projections, so they
                                 meet every event in order; what still fails is parked again
${ADMIN_USAGE}
  clients history <id>           an account's or a record's history as JSON lines, oldest first (the look is recorded)
${AUDIT_USAGE}

Every command answers --help (-h) with its own lines.
Configuration comes from the environment, as for npm start (see README.md).`;

/**
 * The usage of the commands that start with these words (`projections`,
 * `audit verify`): each entry of USAGE is its first line and the more
 * indented lines under it. No words, or none that name a command: all of it.
 */
export function usageOf(words: readonly string[]): string {
  const entries: string[][] = [];
  for (const line of USAGE.split('\n').slice(2)) {
    if (/^ {2}\S/.test(line)) entries.push([line]);
    else if (/^ {3,}\S/.test(line) && entries.length > 0) entries.at(-1)!.push(line);
  }
  const named = entries.filter((entry) => words.every((word, i) => entry[0]!.trim().split(/\s+/)[i] === word));
  if (words.length === 0 || named.length === 0) return USAGE;
  return `Usage: npm run cli -- ${words.join(' ')} ...\n\n${named.map((entry) => entry.join('\n')).join('\n')}`;
}

/** The projections of these names (every one when none is given), or undefined after saying which are unknown. */
function named(names: readonly string[]): readonly Projection[] | undefined {
  const unknown = names.filter((name) => !projections.some((p) => p.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`Unknown projection(s): ${unknown.join(', ')}. Known: ${projections.map((p) => p.name).join(', ')}\n`);
    return undefined;
  }
  return names.length > 0 ? projections.filter((p) => names.includes(p.name)) : projections;
}

/**
 * Progress of a migration that goes through phases (a scan of the log, then
 * writes): one bar or one series of lines per phase, on stderr.
 */
function phasedProgress(label: string, units: Readonly<Record<string, string>>, totals: Readonly<Record<string, number | undefined>>) {
  let current: { phase: string; progress: Progress } | undefined;
  return {
    report({ phase, done, total }: { phase: string; done: number; total?: number | undefined }) {
      if (current?.phase !== phase) {
        current?.progress.finish();
        current = { phase, progress: startProgress({ label: `${label}: ${phase}`, unit: units[phase] ?? 'events', total: total ?? totals[phase] }) };
      }
      current.progress.update(done, total);
    },
    finish() {
      current?.progress.finish();
      current = undefined;
    },
  };
}

const OPTIONS = { ...ADMIN_OPTIONS, help: { type: 'boolean', short: 'h' } } as const;

function parsed(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return undefined;
  }
}

async function main(argv: string[]): Promise<number> {
  const args = parsed(argv);
  if (!args) return 64;
  const { positionals, values } = args;
  const [group, action, ...rest] = positionals;
  // Help opens nothing: no configuration is read, no database touched.
  if (values.help || group === 'help') {
    process.stdout.write(`${usageOf(group === 'help' ? positionals.slice(1) : positionals)}\n`);
    return 0;
  }
  if (!group) {
    process.stdout.write(`${USAGE}\n`);
    return 64;
  }
  const config = loadConfig();
  // The embedded database is one process's at a time: not opened under a running service (src/cli/lock.ts).
  let lock: HeldLock | undefined;
  if (!config.databaseUrl) {
    try {
      lock = await lockEmbeddedDatabase(config.dataDir, `npm run cli -- ${positionals.join(' ')}`);
    } catch (error) {
      if (!(error instanceof EmbeddedDatabaseLocked)) throw error;
      process.stderr.write(`${error.message}\n`);
      return LOCKED_EXIT_CODE;
    }
  }
  try {
    return await run(config, group, action, rest, values);
  } finally {
    await lock?.release();
  }
}

async function run(config: Config, group: string, action: string | undefined, rest: readonly string[], values: AdminCreateInput): Promise<number> {
  const connection = openDatabase(config);
  const store = await openEventStore(config, connection);
  // How many events a scan of the whole log meets: the events table counts them; EventStoreDB is not read twice for it.
  const logSize = async () => (config.eventStoreUrl ? undefined : (await tableCounter(connection.db).between(START, await store.raw.headPosition())).events);
  try {
    await migrateToLatest(connection.db);
    if (group === 'migrate') {
      const contacts = await openContactStreams(store.keys);
      const events = await logSize();
      const trust = phasedProgress('trust model', { scan: 'events', write: 'accounts' }, { scan: events });
      const moved = await migrateToTrustModel({ log: store.recorded, store, handle: createCommandHandler(store), contacts, now: () => new Date() }, (progress) => trust.report(progress));
      trust.finish();
      // Counted again: the trust model's move appended to the log.
      const streams = phasedProgress('login contacts', { scan: 'events', move: 'streams' }, { scan: moved ? await logSize() : events });
      const owned = await pseudonymiseContactStreams({ log: store.recorded, store, contacts, now: () => new Date() }, (progress) => streams.report(progress));
      streams.finish();
      if (owned !== undefined) process.stdout.write(`login contacts: ${owned} ownerships moved to pseudonymous streams\n`);
      process.stdout.write(moved ? 'database is up to date; existing clients moved to the trust model\n' : 'database is up to date\n');
      return 0;
    }
    if (group === 'admin' && action === 'create') {
      return await adminCreate(values, { handle: createCommandHandler(store), store, contacts: await openContactStreams(store.keys), db: connection.db, normalizePhone: phoneNormalizer(config.phoneDefaultRegion) });
    }
    if (group === 'audit' && action === 'verify') {
      return await auditVerify(store.raw, rest[0], rest[0] === undefined ? await logSize() : undefined);
    }
    if (group === 'audit' && action === 'anchor') return await auditAnchor(store);
    if (group === 'clients' && action === 'history') {
      return await printClientHistory(rest[0], createCommandHandler(store), store, connection.db);
    }
    if (group === 'projections' && action === 'status') {
      const statuses = await followerStatuses({
        db: connection.db,
        raw: store.raw,
        counter: config.eventStoreUrl ? readingCounter(store.raw) : tableCounter(connection.db),
        readModels: projections,
        reactors: reactorsOf(config, store),
        now: () => new Date(),
      });
      process.stdout.write(`${statusTable(statuses)}\n`);
      return 0;
    }
    if (group === 'projections' && action === 'parked') {
      const chosen = named(rest.slice(0, 1));
      if (!chosen) return 64;
      for (const event of await listParked(connection.db, rest[0])) process.stdout.write(`${JSON.stringify(event)}\n`);
      return 0;
    }
    if (group === 'projections' && (action === 'rebuild' || action === 'retry')) {
      if (action === 'retry' && rest.length === 0) {
        process.stderr.write('Usage: npm run cli -- projections retry <name...>\n');
        return 64;
      }
      const chosen = named(rest);
      if (!chosen) return 64;
      for (const projection of chosen) {
        const started = Date.now();
        // Every rebuild reads the whole log (the projection picks its types from it).
        const progress = startProgress({ label: `rebuild ${projection.name}`, total: await logSize() });
        let parked = 0;
        const events = await rebuildProjection(connection.db, store, projection, {
          onParked: (event) => process.stderr.write(`${projection.name}: parked ${event.type} ${event.eventId} at ${event.position} in ${event.stream}: ${event.error}\n`),
          onProgress: (moved) => {
            parked = moved.parked;
            if (moved.done) progress.finish(moved.events);
            else progress.update(moved.events);
          },
        });
        process.stdout.write(`${projection.name} rebuilt from ${events} events in ${((Date.now() - started) / 1000).toFixed(1)} s, ${parked} parked\n`);
      }
      return 0;
    }
    process.stderr.write(`Unknown command: ${[group, action, ...rest].filter((word) => word !== undefined).join(' ')}\n\n${USAGE}\n`);
    return 64;
  } finally {
    await store.close();
    await connection.db.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `Failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof ConfigError ? 78 : 1);
  },
);
