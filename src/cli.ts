import { parseArgs } from 'node:util';
import { ADMIN_OPTIONS, ADMIN_USAGE, adminCreate, AUDIT_USAGE, auditAnchor, auditVerify } from './admin-cli.js';
import { phoneNormalizer } from './api/phone.js';
import { createCommandHandler } from './commands/handler.js';
import { migrateToTrustModel } from './workflows/clients/migrate-trust-model.js';
import { openContactStreams } from './workflows/identity/contact-index.js';
import { pseudonymiseContactStreams } from './workflows/identity/migrate-contact-streams.js';
import { openDatabase, openEventStore, projections } from './compose.js';
import { ConfigError, loadConfig } from './config.js';
import { migrateToLatest } from './db/migrate.js';
import { readCheckpoints } from './projections/checkpoints.js';
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
import { sql, type Kysely } from 'kysely';
import type { Database } from './db/database.js';
import type { CatalogedEventStore } from './store/cataloged.js';
import { formatPosition } from './store/port.js';

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
  projections status             each projection's checkpoint and how many events it parked
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
  const connection = openDatabase(config);
  const store = await openEventStore(config, connection);
  try {
    await migrateToLatest(connection.db);
    if (group === 'migrate') {
      const contacts = await openContactStreams(store.keys);
      const moved = await migrateToTrustModel({ log: store.recorded, store, handle: createCommandHandler(store), contacts, now: () => new Date() }, ({ phase, done, total }) => {
        if (done % 1000 === 0 || done === total) process.stdout.write(`trust model: ${phase} ${done}${total ? ` of ${total}` : ''}\n`);
      });
      const owned = await pseudonymiseContactStreams({ log: store.recorded, store, contacts, now: () => new Date() });
      if (owned !== undefined) process.stdout.write(`login contacts: ${owned} ownerships moved to pseudonymous streams\n`);
      process.stdout.write(moved ? 'database is up to date; existing clients moved to the trust model\n' : 'database is up to date\n');
      return 0;
    }
    if (group === 'admin' && action === 'create') {
      return await adminCreate(values, { handle: createCommandHandler(store), store, contacts: await openContactStreams(store.keys), db: connection.db, normalizePhone: phoneNormalizer(config.phoneDefaultRegion) });
    }
    if (group === 'audit' && action === 'verify') {
      // The events table is the log only without EventStoreDB: there it gives progress a total.
      const total = config.eventStoreUrl ? undefined : Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM events`.execute(connection.db)).rows[0]?.n ?? 0);
      return await auditVerify(store.raw, rest[0], total);
    }
    if (group === 'audit' && action === 'anchor') return await auditAnchor(store);
    if (group === 'clients' && action === 'history') {
      return await printClientHistory(rest[0], createCommandHandler(store), store, connection.db);
    }
    if (group === 'projections' && action === 'status') {
      const checkpoints = await readCheckpoints(connection.db);
      const parked = await listParked(connection.db);
      for (const p of projections) {
        const count = parked.filter((e) => e.projection === p.name).length;
        process.stdout.write(`${p.name}\t${formatPosition(checkpoints.get(p.name) ?? { commit: 0n, prepare: 0n })}\tparked ${count}\n`);
      }
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
        let lastPrint = 0;
        const events = await rebuildProjection(connection.db, store, projection, {
          onParked: (event) => process.stderr.write(`${projection.name}: parked ${event.type} ${event.eventId} at ${event.position} in ${event.stream}: ${event.error}\n`),
          onProgress: ({ events, position, parked, done }) => {
            if (!done && Date.now() - lastPrint < 1000) return;
            lastPrint = Date.now();
            const rate = Math.round(events / Math.max(0.001, (Date.now() - started) / 1000));
            process.stdout.write(`${projection.name}: ${events} events read, at ${position}, ${rate} events/s${parked > 0 ? `, ${parked} parked` : ''}${done ? ', done' : ''}\n`);
          },
        });
        process.stdout.write(`${projection.name} rebuilt from ${events} events in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      }
      return 0;
    }
    process.stderr.write(`Unknown command: ${positionals.join(' ')}\n\n${USAGE}\n`);
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
