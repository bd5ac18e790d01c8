// The settings of the process and its HTTP edge: which role it plays, where
// it listens, whom it believes and lets in.
import { isIP } from 'node:net';
import type { Config } from '../config.js';
import type { Settings } from './settings.js';

type HttpConfig = Pick<Config, 'role' | 'host' | 'port' | 'trustProxy' | 'logLevel' | 'corsOrigins' | 'compatProfiles' | 'opsToken' | 'readYourWritesTimeoutMs'>;

export function httpSettings(s: Settings): HttpConfig {
  const role = s.oneOf('ROLE', ['all', 'api', 'projector', 'worker'] as const, 'all');
  const host = s.text('HOST') ?? '127.0.0.1';
  const port = s.integer('PORT', 3000, 0, 65535);
  const trustProxy = trustedProxies(s);
  const logLevel = s.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info');
  const corsOrigins = allowedOrigins(s);
  const compatProfiles = compatSeeds(s);
  const opsToken = s.text('OPS_TOKEN');
  if (opsToken !== undefined && opsToken.length < 32) s.problems.push('OPS_TOKEN must be at least 32 characters (e.g. openssl rand -hex 32)');
  const readYourWritesTimeoutMs = s.integer('READ_YOUR_WRITES_TIMEOUT_MS', 2000, 0, 60_000);
  return { role, host, port, trustProxy, logLevel, corsOrigins, compatProfiles, opsToken, readYourWritesTimeoutMs };
}

function trustedProxies(s: Settings): Config['trustProxy'] {
  const value = s.text('TRUST_PROXY');
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d{1,2}$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => {
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    return family === 0 || rest.length > 0 || (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)));
  });
  if (bad.length > 0) s.problems.push(`TRUST_PROXY must be false, true, a hop count or a comma-separated list of addresses and CIDRs (not ${bad.map((b) => `"${b}"`).join(', ')})`);
  return entries;
}

/** The seed documents whose APIs can be served as they were written (src/api/compat/). */
export const COMPAT_SEEDS = ['000', '001', '002', '003', '004'] as const;
export type CompatSeed = (typeof COMPAT_SEEDS)[number];

function compatSeeds(s: Settings): CompatSeed[] {
  const value = (s.text('COMPAT_PROFILES') ?? 'all').trim();
  if (value === 'all') return [...COMPAT_SEEDS];
  if (value === 'none') return [];
  const named = value.split(',').map((seed) => seed.trim());
  const unknown = named.filter((seed) => !(COMPAT_SEEDS as readonly string[]).includes(seed));
  if (unknown.length > 0) s.problems.push(`COMPAT_PROFILES must be all, none or a comma-separated list of ${COMPAT_SEEDS.join(', ')} (not ${unknown.map((u) => `"${u}"`).join(', ')})`);
  return COMPAT_SEEDS.filter((seed) => named.includes(seed));
}

// Exact origins only (scheme, host, port): a wildcard would let any site read answers meant for our own frontends.
function allowedOrigins(s: Settings): string[] {
  const corsOrigins = (s.text('CORS_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  const badOrigins = corsOrigins.filter((origin) => {
    try {
      const parsed = new URL(origin);
      return !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin;
    } catch {
      return true;
    }
  });
  if (badOrigins.length > 0) s.problems.push(`CORS_ORIGINS must be a comma-separated list of origins like https://app.example.com (scheme, host and port only, no path or trailing slash; not ${badOrigins.map((o) => `"${o}"`).join(', ')})`);
  return corsOrigins;
}
