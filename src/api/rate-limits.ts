import type { Dependencies } from './dependencies.js';

// Per-IP caps (with @fastify/rate-limit) on routes that guess a secret
// (codes, passwords). Everything that sends a message is capped per
// destination, per account and per IP in one place, beside the data
// (src/auth/send-limits.ts); per-account login failures in src/auth/login-throttle.ts.

export const guessLimit = (deps: Dependencies) => ({ max: deps.rateLimits.guessesPerIp, timeWindow: 60_000 });
