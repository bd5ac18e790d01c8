// The scenarios run without the service: this machine's ceilings, measured
// with nothing else running, and the projection rebuild (a cli process of its own).
import { join } from 'node:path';
import { ARGON2_DESCRIPTION } from '../src/auth/passwords.js';
import { argon2HashesPerSecond, rawInsertTxPerSecond } from './ceilings.js';
import { startBareFastify } from './children.js';
import { runLoad, warmUp, type LoadOptions } from './load.js';
import type { Run } from './measure.js';
import { databaseUrl, log, only, settings } from './options.js';
import { measureRebuild } from './rebuild.js';
import { json, patchBody } from './setup.js';

export async function measureCeilings({ dbName, meter: { measured }, m, children }: Run): Promise<void> {
  const C = settings.connections;
  if (only.has('raw_pg')) {
    log('ceiling: raw PostgreSQL single-row insert transactions');
    const raw = await measured('raw_pg', undefined, () => rawInsertTxPerSecond(databaseUrl(dbName), C, settings.durationS));
    m.raw = raw;
    log(`  ${raw.txPerS} tx/s`);
  }
  if (only.has('bare')) {
    log('ceiling: bare Fastify GET /hello and POST /echo');
    const bare = await startBareFastify();
    children.bare = bare;
    const get: LoadOptions = { title: 'bare GET /hello', url: `${bare.url}/hello`, connections: C, durationS: settings.durationS };
    await warmUp(get, settings.warmUpS);
    const bareGet = await measured('bare_get', bare.process.pid, () => runLoad(get));
    m.bareGet = bareGet;
    const post: LoadOptions = { title: 'bare POST /echo', url: `${bare.url}/echo`, connections: C, durationS: settings.durationS, method: 'POST', headers: json, body: patchBody(1) };
    await warmUp(post, settings.warmUpS);
    const barePost = await measured('bare_post', bare.process.pid, () => runLoad(post));
    m.barePost = barePost;
    await bare.stop();
    children.bare = undefined;
    log(`  GET ${bareGet.rps} req/s (p99 ${bareGet.latencyMs.p99} ms), POST ${barePost.rps} req/s`);
  }
  if (only.has('argon2')) {
    log(`ceiling: argon2id hashes (${ARGON2_DESCRIPTION}), 4 at a time as libuv's default pool runs them`);
    const argon2 = await measured('argon2', undefined, () => argon2HashesPerSecond(4, settings.argon2Seconds));
    m.argon2 = argon2;
    log(`  ${argon2.hashesPerS} hashes/s, ${argon2.msPerHash} ms for one`);
  }
}

export async function measureRebuildScenario({ rebuildDbName, profileDir, meter: { measured }, m }: Run): Promise<void> {
  if (!only.has('rebuild')) return;
  log(`projection rebuild: ${settings.rebuildEvents} ClientRegistered events, cli projections rebuild client-accounts`);
  const rebuildProfileDir = profileDir ? join(profileDir, 'rebuild') : undefined;
  const rebuild = await measured('rebuild', undefined, () =>
    measureRebuild(databaseUrl(rebuildDbName), settings.rebuildEvents, settings.rebuildTimeoutMs, log, rebuildProfileDir ? ['--cpu-prof', '--cpu-prof-dir', rebuildProfileDir] : []),
  );
  m.rebuild = rebuild;
  log(`  ${rebuild.eventsPerS} events/s (${rebuild.events} events in ${rebuild.seconds} s${rebuild.finished ? '' : ', NOT finished'})`);
}
