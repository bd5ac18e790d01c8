import type { Services } from './services.js';

// Per-IP caps (with @fastify/rate-limit) on routes that cost money (they send
// an SMS or an email) or that guess a secret (codes, passwords). Per-phone
// and per-account limits sit beside the data (src/auth/codes.ts, login-throttle.ts).

export const codeRequestLimit = (services: Services) => ({ max: services.rateLimits.codeRequestsPerIp, timeWindow: 10 * 60_000 });
export const guessLimit = (services: Services) => ({ max: services.rateLimits.guessesPerIp, timeWindow: 60_000 });
