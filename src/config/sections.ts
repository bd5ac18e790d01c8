// The settings behind the HTTP edge (http.ts has the edge's): storage, jobs,
// sign-in secrets, messages to people, rate limits, and what a role apart needs.
import { resolve } from 'node:path';
import type { Config } from '../config.js';
import type { Settings } from './settings.js';

export function storageSettings(s: Settings): Pick<Config, 'dataDir' | 'databaseUrl' | 'eventStoreUrl'> {
  return {
    dataDir: resolve(s.text('DATA_DIR') ?? './data'),
    databaseUrl: s.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    eventStoreUrl: s.url('EVENTSTORE_URL', ['esdb:', 'esdb+discover:']),
  };
}

export function jobSettings(s: Settings): Pick<Config, 'redisUrl' | 'redisPrefix' | 'jobBackoffMs' | 'auditAnchorIntervalSeconds'> {
  return {
    redisUrl: s.url('REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: s.text('REDIS_PREFIX') ?? 'booking',
    jobBackoffMs: s.integer('JOB_BACKOFF_MS', 1000, 1, 3_600_000),
    // 0 anchors after every batch of new events (tests); at most 30 days apart.
    auditAnchorIntervalSeconds: s.integer('AUDIT_ANCHOR_INTERVAL_SECONDS', 3600, 0, 30 * 86_400),
  };
}

export function authSettings(s: Settings): Pick<Config, 'codeSecret' | 'jwt' | 'passwordHashQueue'> {
  const codeSecret = s.text('CODE_SECRET');
  if (codeSecret !== undefined && codeSecret.length < 32) s.problems.push('CODE_SECRET must be at least 32 characters');
  const privateJwk = s.text('JWT_PRIVATE_JWK');
  if (privateJwk !== undefined) {
    try {
      const jwk = JSON.parse(privateJwk) as { kty?: string; d?: string };
      if (jwk.kty !== 'OKP' || !jwk.d) s.problems.push('JWT_PRIVATE_JWK must be a private Ed25519 JWK (kty "OKP" with "d")');
    } catch {
      s.problems.push('JWT_PRIVATE_JWK is not valid JSON');
    }
  }
  return {
    codeSecret,
    jwt: {
      privateJwk,
      issuer: s.text('JWT_ISSUER') ?? 'service-booking',
      audience: s.text('JWT_AUDIENCE') ?? 'service-booking-api',
      accessTtlSeconds: s.integer('ACCESS_TOKEN_TTL_SECONDS', 900, 60, 86_400),
    },
    passwordHashQueue: s.integer('PASSWORD_HASH_QUEUE', 64, 0, 100_000),
  };
}

export function messagingSettings(s: Settings): Pick<Config, 'sms' | 'email' | 'phoneDefaultRegion' | 'reminderLeadHours' | 'waitlistHoldMinutes'> {
  const smsProvider = s.oneOf('SMS_PROVIDER', ['console', 'http'] as const, 'console');
  let sms: Config['sms'] = { provider: 'console' };
  if (smsProvider === 'http') {
    const smsUrl = s.url('SMS_HTTP_URL', ['http:', 'https:']);
    if (!s.text('SMS_HTTP_URL')) s.problems.push('SMS_HTTP_URL is required when SMS_PROVIDER=http');
    sms = {
      provider: 'http',
      url: smsUrl ?? '',
      authHeader: s.text('SMS_HTTP_AUTH_HEADER'),
      bodyTemplate: s.text('SMS_HTTP_BODY') ?? '{"to":"{{to}}","text":"{{text}}"}',
    };
  }

  const emailProvider = s.oneOf('EMAIL_PROVIDER', ['console', 'smtp'] as const, 'console');
  let email: Config['email'] = { provider: 'console' };
  if (emailProvider === 'smtp') {
    if (!s.text('SMTP_URL')) s.problems.push('SMTP_URL is required when EMAIL_PROVIDER=smtp (e.g. smtps://user:pass@smtp.example.com:465)');
    email = { provider: 'smtp', url: s.url('SMTP_URL', ['smtp:', 'smtps:']) ?? '', from: s.text('EMAIL_FROM') ?? 'no-reply@localhost' };
  }

  const region = s.text('PHONE_DEFAULT_REGION') ?? 'RU';
  if (!/^[A-Z]{2}$|^none$/.test(region)) s.problems.push(`PHONE_DEFAULT_REGION must be a two-letter ISO country code or "none" (got "${region}")`);
  return {
    sms,
    email,
    phoneDefaultRegion: region === 'none' ? undefined : region,
    reminderLeadHours: s.integer('REMINDER_LEAD_HOURS', 24, 0, 24 * 30),
    waitlistHoldMinutes: s.integer('WAITLIST_HOLD_MINUTES', 30, 1, 7 * 24 * 60),
  };
}

export function rateLimitSettings(s: Settings): Config['rateLimits'] {
  return {
    codeRequestsPerIp: s.integer('RATE_LIMIT_CODE_REQUESTS_PER_IP', 20, 1, 1_000_000),
    guessesPerIp: s.integer('RATE_LIMIT_GUESSES_PER_IP', 30, 1, 1_000_000),
    codesPerDestinationPerHour: s.integer('RATE_LIMIT_CODES_PER_DESTINATION', 5, 1, 1_000_000),
    codesPerAccountPerHour: s.integer('RATE_LIMIT_CODES_PER_ACCOUNT', 10, 1, 1_000_000),
    remindersPerPhonePerDay: s.integer('RATE_LIMIT_REMINDERS_PER_PHONE', 10, 1, 1_000_000),
    historyReadsPerMinute: s.integer('RATE_LIMIT_HISTORY_READS', 60, 1, 1_000_000),
  };
}

/** A role run apart from the others shares what the one process kept to itself. */
export function roleProblems(config: Config): string[] {
  const problems: string[] = [];
  if (config.role !== 'all' && !config.databaseUrl) {
    problems.push(`ROLE=${config.role} runs one part of the service apart from the others, which needs a shared database: set DATABASE_URL (the embedded database serves one process only)`);
  }
  if (config.role !== 'all' && !config.codeSecret) problems.push(`ROLE=${config.role}: set CODE_SECRET (32+ characters), shared by the api that checks codes and the worker that makes them`);
  if (config.role === 'worker' && !config.redisUrl) problems.push('ROLE=worker takes jobs from Redis: set REDIS_URL');
  return problems;
}
