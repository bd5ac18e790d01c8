import { httpSettings, type CompatSeed } from './config/http.js';
import { publicUrlSettings } from './config/public-url.js';
import { observabilitySettings } from './config/observability.js';
import { authSettings, jobSettings, messagingSettings, rateLimitSettings, roleProblems, storageSettings } from './config/sections.js';
import { Settings, type Env } from './config/settings.js';
import { webhookSettings } from './config/webhooks.js';
import { tracingSettings, type TracingConfig } from './config/tracing.js';

export type Role = 'all' | 'api' | 'projector' | 'worker';

export interface Config {
  readonly role: Role;
  readonly host: string;
  readonly port: number;
  /**
   * Which proxies' X-Forwarded-For to believe for the client's address (per-IP
   * rate limits, logs): false (none), a hop count, or addresses/CIDRs.
   */
  readonly trustProxy: boolean | number | readonly string[];
  readonly logLevel: string;
  readonly dataDir: string;
  /** Unset: embedded PGlite under dataDir. */
  readonly databaseUrl: string | undefined;
  /** Unset: events in the same database. */
  readonly eventStoreUrl: string | undefined;
  /** Unset: jobs run in this process. */
  readonly redisUrl: string | undefined;
  /** Prefix of every Redis key (queues, rate limits), so deployments can share a Redis. */
  readonly redisPrefix: string;
  readonly sms: { readonly provider: 'console' } | { readonly provider: 'http'; readonly url: string; readonly authHeader: string | undefined; readonly bodyTemplate: string };
  readonly email: { readonly provider: 'console' } | { readonly provider: 'smtp'; readonly url: string; readonly from: string };
  /** First retry delay of a failed job; later ones double. */
  readonly jobBackoffMs: number;
  /** Server secret for one-time code HMACs; unset: generated under dataDir. */
  readonly codeSecret: string | undefined;
  readonly rateLimits: {
    /** Code-sending requests (SMS and email cost money) per client IP per 10 minutes. */
    readonly codeRequestsPerIp: number;
    /** Secret-guessing requests (codes, passwords) per client IP per minute. */
    readonly guessesPerIp: number;
    /** Codes sent to one phone or email per hour, whoever asks. */
    readonly codesPerDestinationPerHour: number;
    /** Codes one signed-in account may have sent per hour (phone change, re-authentication, staff verification). */
    readonly codesPerAccountPerHour: number;
    /** Appointment reminders sent to one phone per day (system-sent; over it a reminder is skipped). */
    readonly remindersPerPhonePerDay: number;
    /** Client history reads (each one audited) per caller per minute. */
    readonly historyReadsPerMinute: number;
  };
  /** Password hashes and verifications that may wait for a core; past it, 503 with Retry-After. */
  readonly passwordHashQueue: number;
  /** Origins allowed to call the API from a browser (CORS); empty: no CORS headers at all. */
  readonly corsOrigins: readonly string[];
  /** The seed documents whose own APIs are served under /compat/<seed> (docs/compat.md); all by default. */
  readonly compatProfiles: readonly CompatSeed[];
  /** Bearer token that shows error details in /health/ready and opens /metrics; unset: details hidden, /metrics open without error texts. */
  readonly opsToken: string | undefined;
  readonly jwt: { readonly privateJwk: string | undefined; readonly issuer: string; readonly audience: string; readonly accessTtlSeconds: number };
  readonly phoneDefaultRegion: string | undefined;
  readonly readYourWritesTimeoutMs: number;
  /** How long before an appointment its SMS reminder is sent. */
  readonly reminderLeadHours: number;
  /** How long a waitlist offer holds its freed time for the client before it goes to the next one. */
  readonly waitlistHoldMinutes: number;
  /** The least time between two anchors of the log (docs/audit.md). */
  readonly auditAnchorIntervalSeconds: number;
  /** The base URL clients reach the service at, for links it hands out (calendar feeds); unset: each request's own protocol and host. */
  readonly publicUrl: string | undefined;
  /**
   * Requests are answered 503 with Retry-After while the event loop's mean delay over a sample
   * window exceeds maxEventLoopDelayMs (0: never); /health/live and /metrics are always answered.
   */
  readonly loadShedding: { readonly maxEventLoopDelayMs: number; readonly sampleIntervalMs: number };
  /** Webhook deliveries: `allowPrivateNetworks` lets them reach private, loopback and link-local addresses, over http too (development, tests). */
  readonly webhooks: { readonly allowPrivateNetworks: boolean };
  /** OpenTelemetry tracing (OTEL_* settings, src/config/tracing.ts); exporter 'none' when none are given. */
  readonly tracing: TracingConfig;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads and checks every setting at once, so one start reports every problem. */
export function loadConfig(env: Env = process.env): Config {
  const settings = new Settings(env);
  const config: Config = {
    ...messagingSettings(settings),
    ...authSettings(settings),
    ...httpSettings(settings),
    ...storageSettings(settings),
    ...jobSettings(settings),
    ...publicUrlSettings(settings),
    ...observabilitySettings(settings),
    ...webhookSettings(settings),
    rateLimits: rateLimitSettings(settings),
    ...tracingSettings(settings),
  };
  const problems = [...settings.problems, ...roleProblems(config)];
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
