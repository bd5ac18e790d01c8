import { isIP } from 'node:net';
import { resolve } from 'node:path';

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
  /** Bearer token that shows error details in /health/ready and opens /metrics; unset: details hidden, /metrics open without error texts. */
  readonly opsToken: string | undefined;
  readonly jwt: { readonly privateJwk: string | undefined; readonly issuer: string; readonly audience: string; readonly accessTtlSeconds: number };
  readonly phoneDefaultRegion: string | undefined;
  readonly readYourWritesTimeoutMs: number;
  /** How long before an appointment its SMS reminder is sent. */
  readonly reminderLeadHours: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

/** Reads and checks every setting at once, so one start reports every problem. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = text(name) ?? fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const value = text(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (Number.isInteger(parsed) && parsed >= min && parsed <= max) return parsed;
    problems.push(`${name} must be an integer from ${min} to ${max} (got "${value}")`);
    return fallback;
  };
  const url = (name: string, protocols: readonly string[]): string | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (protocols.includes(parsed.protocol)) return value;
      problems.push(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return undefined;
  };

  const smsProvider = oneOf('SMS_PROVIDER', ['console', 'http'] as const, 'console');
  let sms: Config['sms'] = { provider: 'console' };
  if (smsProvider === 'http') {
    const smsUrl = url('SMS_HTTP_URL', ['http:', 'https:']);
    if (!text('SMS_HTTP_URL')) problems.push('SMS_HTTP_URL is required when SMS_PROVIDER=http');
    sms = {
      provider: 'http',
      url: smsUrl ?? '',
      authHeader: text('SMS_HTTP_AUTH_HEADER'),
      bodyTemplate: text('SMS_HTTP_BODY') ?? '{"to":"{{to}}","text":"{{text}}"}',
    };
  }

  const emailProvider = oneOf('EMAIL_PROVIDER', ['console', 'smtp'] as const, 'console');
  let email: Config['email'] = { provider: 'console' };
  if (emailProvider === 'smtp') {
    if (!text('SMTP_URL')) problems.push('SMTP_URL is required when EMAIL_PROVIDER=smtp (e.g. smtps://user:pass@smtp.example.com:465)');
    email = { provider: 'smtp', url: url('SMTP_URL', ['smtp:', 'smtps:']) ?? '', from: text('EMAIL_FROM') ?? 'no-reply@localhost' };
  }

  const codeSecret = text('CODE_SECRET');
  if (codeSecret !== undefined && codeSecret.length < 32) problems.push('CODE_SECRET must be at least 32 characters');

  const privateJwk = text('JWT_PRIVATE_JWK');
  if (privateJwk !== undefined) {
    try {
      const jwk = JSON.parse(privateJwk) as { kty?: string; d?: string };
      if (jwk.kty !== 'OKP' || !jwk.d) problems.push('JWT_PRIVATE_JWK must be a private Ed25519 JWK (kty "OKP" with "d")');
    } catch {
      problems.push('JWT_PRIVATE_JWK is not valid JSON');
    }
  }

  const trustProxy = ((): Config['trustProxy'] => {
    const value = text('TRUST_PROXY');
    if (value === undefined || value === 'false') return false;
    if (value === 'true') return true;
    if (/^\d{1,2}$/.test(value)) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim());
    const bad = entries.filter((entry) => {
      const [address, prefix, ...rest] = entry.split('/');
      const family = isIP(address ?? '');
      return family === 0 || rest.length > 0 || (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)));
    });
    if (bad.length > 0) problems.push(`TRUST_PROXY must be false, true, a hop count or a comma-separated list of addresses and CIDRs (not ${bad.map((b) => `"${b}"`).join(', ')})`);
    return entries;
  })();

  // Exact origins only (scheme, host, port): a wildcard would let any site read answers meant for our own frontends.
  const corsOrigins = (text('CORS_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  const badOrigins = corsOrigins.filter((origin) => {
    try {
      const parsed = new URL(origin);
      return !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin;
    } catch {
      return true;
    }
  });
  if (badOrigins.length > 0) problems.push(`CORS_ORIGINS must be a comma-separated list of origins like https://app.example.com (scheme, host and port only, no path or trailing slash; not ${badOrigins.map((o) => `"${o}"`).join(', ')})`);

  const opsToken = text('OPS_TOKEN');
  if (opsToken !== undefined && opsToken.length < 32) problems.push('OPS_TOKEN must be at least 32 characters (e.g. openssl rand -hex 32)');

  const region = text('PHONE_DEFAULT_REGION') ?? 'RU';
  if (!/^[A-Z]{2}$|^none$/.test(region)) problems.push(`PHONE_DEFAULT_REGION must be a two-letter ISO country code or "none" (got "${region}")`);

  const config: Config = {
    role: oneOf('ROLE', ['all', 'api', 'projector', 'worker'] as const, 'all'),
    host: text('HOST') ?? '127.0.0.1',
    port: integer('PORT', 3000, 0, 65535),
    trustProxy,
    logLevel: oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    dataDir: resolve(text('DATA_DIR') ?? './data'),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    eventStoreUrl: url('EVENTSTORE_URL', ['esdb:', 'esdb+discover:']),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: text('REDIS_PREFIX') ?? 'booking',
    sms,
    email,
    codeSecret,
    jobBackoffMs: integer('JOB_BACKOFF_MS', 1000, 1, 3_600_000),
    rateLimits: {
      codeRequestsPerIp: integer('RATE_LIMIT_CODE_REQUESTS_PER_IP', 20, 1, 1_000_000),
      guessesPerIp: integer('RATE_LIMIT_GUESSES_PER_IP', 30, 1, 1_000_000),
      codesPerDestinationPerHour: integer('RATE_LIMIT_CODES_PER_DESTINATION', 5, 1, 1_000_000),
      codesPerAccountPerHour: integer('RATE_LIMIT_CODES_PER_ACCOUNT', 10, 1, 1_000_000),
      remindersPerPhonePerDay: integer('RATE_LIMIT_REMINDERS_PER_PHONE', 10, 1, 1_000_000),
      historyReadsPerMinute: integer('RATE_LIMIT_HISTORY_READS', 60, 1, 1_000_000),
    },
    passwordHashQueue: integer('PASSWORD_HASH_QUEUE', 64, 0, 100_000),
    corsOrigins,
    opsToken,
    jwt: {
      privateJwk,
      issuer: text('JWT_ISSUER') ?? 'service-booking',
      audience: text('JWT_AUDIENCE') ?? 'service-booking-api',
      accessTtlSeconds: integer('ACCESS_TOKEN_TTL_SECONDS', 900, 60, 86_400),
    },
    phoneDefaultRegion: region === 'none' ? undefined : region,
    readYourWritesTimeoutMs: integer('READ_YOUR_WRITES_TIMEOUT_MS', 2000, 0, 60_000),
    reminderLeadHours: integer('REMINDER_LEAD_HOURS', 24, 0, 24 * 30),
  };
  if (config.role !== 'all' && !config.databaseUrl) {
    problems.push(`ROLE=${config.role} runs one part of the service apart from the others, which needs a shared database: set DATABASE_URL (the embedded database serves one process only)`);
  }
  if (config.role !== 'all' && !config.codeSecret) problems.push(`ROLE=${config.role}: set CODE_SECRET (32+ characters), shared by the api that checks codes and the worker that makes them`);
  if (config.role === 'worker' && !config.redisUrl) problems.push('ROLE=worker takes jobs from Redis: set REDIS_URL');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
