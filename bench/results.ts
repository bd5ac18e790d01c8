// The figures a run reports, judged against their targets, and where they
// go: the table, results.json and, after a full run, bench/README.md.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ARGON2_DESCRIPTION } from '../src/auth/passwords.js';
import { FIGURE_KEYS, type Figure, type Figures } from './figures.js';
import type { LoadSummary } from './load.js';
import type { Measurements, Run } from './measure.js';
import { BENCH_DIR, DEFAULT_OUT, log, only, outPath, quick, SCENARIOS, settings } from './options.js';
import { notes, textTable, updateReadme } from './report.js';

function na(label: string, unit: string, target: string, note: string, ceiling?: Figure['ceiling']): Figure {
  return { label, unit, value: 'n/a', target, pass: null, note, ...(ceiling ? { ceiling } : {}) };
}

const ratioOf = (value: number | undefined, ceiling: number | undefined) =>
  value !== undefined && ceiling ? Number((value / ceiling).toFixed(3)) : undefined;

export function figuresOf(m: Measurements, details: Record<string, unknown>): Figures {
  const { raw, bareGet, barePost, argon2, getClient, getClientRoute, commands, lagLoad, lag, lagSustainable, register, booking, bookingByService, slots, schedulingUnavailable, servicesUnavailable, rebuild, peakRss } = m;
  const C = settings.connections;
  const num = (v: number | undefined): number | 'n/a' => (v === undefined || !Number.isFinite(v) ? 'n/a' : v);
  const skipped = 'not run (--only)';
  const failures = (load: LoadSummary | undefined) =>
    load && (load.non2xx > 0 || load.errors > 0) ? ` ${load.non2xx} non-2xx and ${load.errors} errors (${JSON.stringify(load.statusCodes)}).` : '';
  const clean = (load: LoadSummary | undefined) => !!load && load.non2xx === 0 && load.errors === 0;
  const rawCeiling = { label: 'raw insert tx/s', value: num(raw?.txPerS) };
  const getCeiling = { label: 'bare GET', value: num(bareGet?.rps) };

  const commandsRatio = ratioOf(commands?.rps, raw?.txPerS);
  const bookingRatio = ratioOf(booking?.rps, raw?.txPerS);
  const slotsRatio = ratioOf(slots?.rps, bareGet?.rps);
  const getRatio = ratioOf(getClient?.rps, bareGet?.rps);
  const lagRateReached = lagLoad ? lagLoad.rps >= 0.95 * settings.lagRate : false;

  const figures: Figures = {
    raw_pg_insert_tx_per_s: {
      label: 'raw PostgreSQL insert tx/s (ceiling)',
      unit: 'tx/s',
      value: num(raw?.txPerS),
      target: 'ceiling',
      pass: null,
      note: raw ? `pg.Pool of ${C}, single-row INSERT per autocommit transaction, ${raw.transactions} in ${raw.seconds.toFixed(1)} s.` : skipped,
    },
    bare_fastify_get_req_per_s: {
      label: 'bare Fastify GET req/s (ceiling)',
      unit: 'req/s',
      value: num(bareGet?.rps),
      target: 'ceiling',
      pass: null,
      note: bareGet ? `p50 ${bareGet.latencyMs.p50} ms, p99 ${bareGet.latencyMs.p99} ms.` : skipped,
    },
    bare_fastify_post_req_per_s: {
      label: 'bare Fastify JSON POST req/s (ceiling)',
      unit: 'req/s',
      value: num(barePost?.rps),
      target: 'ceiling',
      pass: null,
      note: barePost ? `p50 ${barePost.latencyMs.p50} ms, p99 ${barePost.latencyMs.p99} ms.` : skipped,
    },
    commands_per_s: {
      label: 'commands/s over HTTP (PATCH /users/me)',
      unit: 'cmd/s',
      value: num(commands?.rps),
      ceiling: rawCeiling,
      ratio: commandsRatio,
      target: '>= 60% of raw insert tx/s',
      pass: commandsRatio === undefined ? null : commandsRatio >= 0.6 && clean(commands),
      note: commands
        ? `Authenticated staff PATCH, ${settings.staffUsers} users spread over ${C} connections (distinct streams), reply after read-your-writes; p50 ${commands.latencyMs.p50} ms, p99 ${commands.latencyMs.p99} ms.${failures(commands)}`
        : skipped,
    },
    booking_commands_per_s: booking
      ? {
          label: 'booking commands/s over HTTP',
          unit: 'cmd/s',
          value: booking.rps,
          ceiling: rawCeiling,
          ratio: bookingRatio,
          target: '>= 60% of raw insert tx/s',
          pass: bookingRatio === undefined ? null : bookingRatio >= 0.6 && clean(booking),
          note: `POST /organizations/{org}/appointments by clients for themselves, ${C} connections each on its own organization-days (distinct schedule streams), 15-minute slots; p50 ${booking.latencyMs.p50} ms, p99 ${booking.latencyMs.p99} ms.${failures(booking)}`,
        }
      : na('booking commands/s', 'cmd/s', '>= 60% of raw insert tx/s', schedulingUnavailable ? `could not be set up: ${schedulingUnavailable}` : only.has('booking') ? 'no booking command exists yet.' : skipped, rawCeiling),
    booking_by_service_commands_per_s: bookingByService
      ? {
          label: 'booking by service, any specialist, commands/s',
          unit: 'cmd/s',
          value: bookingByService.rps,
          ceiling: rawCeiling,
          ratio: ratioOf(bookingByService.rps, raw?.txPerS),
          target: 'reported, beside booking commands/s',
          pass: null,
          note: `POST /organizations/{org}/appointments {service_id, start} by clients for themselves, no specialist named: the service gives the length and price and picks one of its 4 specialists (fewest bookings that day), ${C} connections each on its own organization-days; p50 ${bookingByService.latencyMs.p50} ms, p99 ${bookingByService.latencyMs.p99} ms${booking ? `; ${(bookingByService.rps / booking.rps * 100).toFixed(0)}% of booking with a named specialist` : ''}.${failures(bookingByService)}`,
        }
      : na('booking by service, any specialist, commands/s', 'cmd/s', 'reported, beside booking commands/s', servicesUnavailable ? `could not be set up: ${servicesUnavailable}` : schedulingUnavailable ? `could not be set up: ${schedulingUnavailable}` : only.has('booking_by_service') ? 'no booking by service exists yet.' : skipped, rawCeiling),
    get_client_req_per_s: {
      label: 'GET one client req/s',
      unit: 'req/s',
      value: num(getClient?.rps),
      ceiling: getCeiling,
      ratio: getRatio,
      target: '>= 50% of bare GET',
      pass: getRatio === undefined ? null : getRatio >= 0.5 && clean(getClient),
      note: getClient
        ? `${getClientRoute}, each connection reading its own client with that client's token${getClientRoute.endsWith('/me') ? ' (GET /clients/{id} does not exist yet: the own profile stands in)' : ''}.${failures(getClient)}`
        : skipped,
    },
    get_client_p50_ms: { label: 'GET one client p50 latency', unit: 'ms', value: num(getClient?.latencyMs.p50), target: 'reported', pass: null },
    get_client_p99_ms: {
      label: 'GET one client p99 latency',
      unit: 'ms',
      value: num(getClient?.latencyMs.p99),
      target: '< 5 ms',
      pass: getClient ? getClient.latencyMs.p99 < 5 : null,
      note: getClient ? `at full load (${C} connections); bare GET p99 ${bareGet?.latencyMs.p99 ?? 'n/a'} ms under the same load.` : skipped,
    },
    free_slots_req_per_s: slots
      ? {
          label: 'free slots of a specialist for a week, req/s',
          unit: 'req/s',
          value: slots.rps,
          ceiling: getCeiling,
          ratio: slotsRatio,
          target: '>= 40% of bare GET',
          pass: slotsRatio === undefined ? null : slotsRatio >= 0.4 && clean(slots),
          note: `GET /specialists/{id}/slots?from..to (7 days, 30-minute slots, public) over 4 specialists working 24/7${booking ? ` whose calendar holds the ${booking.ok} bookings above` : ''}; p50 ${slots.latencyMs.p50} ms, p99 ${slots.latencyMs.p99} ms.${failures(slots)}`,
        }
      : na('free slots of a specialist for a week, req/s', 'req/s', '>= 40% of bare GET', schedulingUnavailable ? `could not be set up: ${schedulingUnavailable}` : only.has('slots') ? 'no slots query exists yet.' : skipped, getCeiling),
    rebuild_events_per_s: {
      label: `projection rebuild (${settings.rebuildEvents.toLocaleString('en-US')} events)`,
      unit: 'events/s',
      value: num(rebuild?.eventsPerS),
      target: '>= 50,000 events/s',
      pass: rebuild ? rebuild.finished && rebuild.eventsPerS >= 50_000 : null,
      note: rebuild
        ? `client-accounts projection, ${rebuild.events} events in ${rebuild.seconds} s (${rebuild.wallSeconds.toFixed(1)} s with process start), ${rebuild.rowsProjected} rows${rebuild.finished ? '' : `; did NOT finish within ${settings.rebuildTimeoutMs / 1000} s, the rate is the one reached so far`}.`
        : skipped,
    },
    projection_lag_p50_ms: {
      label: 'projection lag p50',
      unit: 'ms',
      value: num(lag?.p50Ms),
      target: 'reported',
      pass: null,
    },
    projection_lag_p99_ms: {
      label: `projection lag p99 at ${settings.lagRate.toLocaleString('en-US')} cmd/s`,
      unit: 'ms',
      value: num(lag?.p99Ms),
      target: '< 50 ms',
      pass: lag && lagLoad ? lag.p99Ms < 50 && lagRateReached && lag.unprojected === 0 : null,
      note: lag && lagLoad
        ? `${lagLoad.rps} cmd/s achieved of ${settings.lagRate} offered${lagRateReached ? '' : ' (the offered rate was NOT reached: the service was saturated)'}; ${lag.events} events, max ${lag.maxMs} ms, ${lag.unprojected} unprojected, polled every ${lag.pollMs} ms; command p50 ${lagLoad.latencyMs.p50} ms, p99 ${lagLoad.latencyMs.p99} ms.${failures(lagLoad)}` +
          (lagSustainable
            ? ` Below saturation, at ${lagSustainable.load.rps} cmd/s (${lagSustainable.rate} offered): lag p50 ${lagSustainable.lag.p50Ms} ms, p99 ${lagSustainable.lag.p99Ms} ms.`
            : '')
        : skipped,
    },
    api_peak_rss_mb: {
      label: 'peak RSS of the API process',
      unit: 'MB',
      value: num(peakRss),
      target: '< 200 MB',
      pass: peakRss === undefined ? null : peakRss < 200,
      note: details.rssByPhaseMb ? `VmHWM; ${String(details.idleRssMb)} MB at rest after start; peak RSS by phase ${JSON.stringify(details.rssByPhaseMb)}.` : skipped,
    },
    registrations_per_s: {
      label: 'registrations/s (argon2id bound)',
      unit: 'reg/s',
      value: num(register?.rps),
      ceiling: { label: 'argon2id hashes/s', value: num(argon2?.hashesPerS) },
      ratio: ratioOf(register?.rps, argon2?.hashesPerS),
      target: 'reported, with the hash cost',
      pass: null,
      note: `${ARGON2_DESCRIPTION}${argon2 ? `, ${argon2.msPerHash} ms per hash alone` : ''}${register ? `; p50 ${register.latencyMs.p50} ms, p99 ${register.latencyMs.p99} ms.${failures(register)}` : ''}`,
    },
  };
  for (const key of FIGURE_KEYS) if (!figures[key]) throw new Error(`figure ${key} missing`);
  return figures;
}

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly platform: string;
  readonly postgres: string | undefined;
  readonly backgroundCpuPercent: number;
}

/** Prints the table, notes and warnings, writes results.json, and after a full run the README's results. */
export async function writeResults(run: Run, started: number, machine: Machine, backgroundCpu: number, figures: Figures): Promise<void> {
  const { m, details, meter, queryCountsFile } = run;
  const { raw, bareGet, barePost, argon2, getClient, commands, lagLoad, lag, lagConnections, lagSustainable, register, booking, bookingByService, slots, rebuild } = m;
  const C = settings.connections;
  const result = {
    mode: settings.mode,
    date: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    machine,
    settings: { ...settings, lagConnections, scenarios: [...only] },
    figures,
    details: { ...details, cpu: meter.cpuByScenario, ...(queryCountsFile ? { sqlPerRequest: meter.queriesByScenario } : {}), loads: { bareGet, barePost, getClient, commands, lagLoad, booking, bookingByService, slots, register }, lag, lagSustainable, rebuild, raw, argon2 },
  };

  const busiest = Object.entries(meter.cpuByScenario as Record<string, { other: number; otherTop: Record<string, number> }>).filter(([, cpu]) => cpu.other > 20);
  const warnings = busiest.map(
    ([name, cpu]) =>
      `other processes (${Object.keys(cpu.otherTop).join(', ')}) used ${cpu.other}% of a core during ${name}: on a machine this small its figures are low by about that much`,
  );
  if (backgroundCpu > 15) warnings.unshift(`the machine was busy before the run (${backgroundCpu}% of a core)`);
  (result as Record<string, unknown>).warnings = warnings;

  log('');
  log(textTable(figures));
  log('');
  for (const note of notes(figures)) log(`- ${note}`);
  for (const warning of warnings) log(`! ${warning}`);
  await mkdir(dirname(outPath), { recursive: true });
  await writeFile(outPath, `${JSON.stringify(result, null, 2)}\n`);
  log(`\nresults written to ${outPath} (${result.seconds} s)`);
  if (!quick && outPath === DEFAULT_OUT && only.size === SCENARIOS.length) {
    const heading = `Last full run: ${result.date.slice(0, 10)}, ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}, PostgreSQL ${machine.postgres}; ${C} connections, ${settings.durationS} s per scenario, service at LOG_LEVEL=${settings.logLevel}.`;
    await updateReadme(join(BENCH_DIR, 'README.md'), heading, figures, warnings);
    log('bench/README.md updated');
  }
}
