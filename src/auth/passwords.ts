import { availableParallelism } from 'node:os';
import { Algorithm, hash, parseOptions, verify } from '@node-rs/argon2';
import pLimit from 'p-limit';

/** OWASP Password Storage Cheat Sheet, argon2id minimum: m=19 MiB, t=2, p=1. */
export const ARGON2_PARAMS = Object.freeze({
  algorithm: Algorithm.Argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
});

/** A human-readable form of the parameters, for logs and benchmark reports. */
export const ARGON2_DESCRIPTION = `argon2id m=${ARGON2_PARAMS.memoryCost} KiB, t=${ARGON2_PARAMS.timeCost}, p=${ARGON2_PARAMS.parallelism}`;

// Hashed with ARGON2_PARAMS (a test pins that), so verifying against it costs
// exactly what a real account's check costs. Nobody knows or needs its password.
export const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$qduU6T/J9PGV8eL9ncDnng$J5uaZGWduStnu530jVyvcwUjn2BwCCkiKYVVeluVw9g';

/**
 * Hashes and verifications waiting or running. Each one holds its 19 MiB for
 * its whole run and the CPU is the bottleneck anyway, so no more run at once
 * than there are cores; libuv's pool alone would run four (and on a
 * two-core machine hold 76 MiB to go no faster). One per process, like the
 * thread pool it guards.
 */
export const passwordWork = pLimit(Math.max(1, availableParallelism()));

/** Work done since the process started, for metrics (and tests that count verifications). */
export const passwordWorkDone = { hashes: 0, verifications: 0 };

/** More password work is waiting than the queue holds: answer 503 with Retry-After, change nothing. */
export class Overloaded extends Error {
  override readonly name = 'Overloaded';
  constructor(readonly retryAfterSeconds: number) {
    super(`The server is busy; try again in ${retryAfterSeconds} seconds.`);
  }
}

// How many may wait for a core (PASSWORD_HASH_QUEUE): a flood of registrations
// or logins is turned away at once instead of queueing minutes of work and memory.
let maxWaiting = 64;

/** Set once at start (src/compose.ts) from the configuration. */
export function limitPasswordQueue(waiting: number): void {
  maxWaiting = waiting;
}

function scheduled<T>(kind: keyof typeof passwordWorkDone, work: () => Promise<T>): Promise<T> {
  if (passwordWork.pendingCount >= maxWaiting) return Promise.reject(new Overloaded(1));
  return passwordWork(() => {
    passwordWorkDone[kind] += 1;
    return work();
  });
}

export function hashPassword(plain: string): Promise<string> {
  return scheduled('hashes', () => hash(plain, ARGON2_PARAMS));
}

/**
 * False for a wrong password and for a hash that cannot be parsed: a login
 * never turns into a 500. A full queue is not a verdict: Overloaded goes up.
 */
export async function verifyPassword(passwordHash: string, plain: string): Promise<boolean> {
  try {
    return await scheduled('verifications', () => verify(passwordHash, plain));
  } catch (error) {
    if (error instanceof Overloaded) throw error;
    return false;
  }
}

/**
 * Spends the time of one verification for a login whose account does not
 * exist, so response times do not reveal which phones are registered.
 * Always resolves false.
 */
export async function dummyVerify(plain: string): Promise<false> {
  await verifyPassword(DUMMY_HASH, plain);
  return false;
}

/** True when a stored hash was made with other parameters; rehash it after a successful login. */
export function needsRehash(passwordHash: string): boolean {
  try {
    const used = parseOptions(passwordHash);
    return (
      used.algorithm !== ARGON2_PARAMS.algorithm ||
      used.memoryCost !== ARGON2_PARAMS.memoryCost ||
      used.timeCost !== ARGON2_PARAMS.timeCost ||
      used.parallelism !== ARGON2_PARAMS.parallelism
    );
  } catch {
    return true;
  }
}
