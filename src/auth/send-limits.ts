import { isIP } from 'node:net';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { ContactPseudonym } from '../events/identity/contact.js';
import { CODE_POLICY, type CodePurpose } from './codes.js';
import { takeQuotas, type Quota, type QuotaDecision } from './quotas.js';

// The one limiter for every message the service sends (SMS and email cost
// money and can be aimed at a stranger): each send takes a unit of every
// quota that applies, atomically, before anything is recorded. Codes:
//   - one per purpose and destination per cooldown (60 s);
//   - a few per destination an hour, whatever asked (any account, any IP);
//   - a few per account an hour, when a signed-in account asks (phone
//     change, re-authentication, staff verification);
//   - a few per client IP per 10 minutes (IPv6 counted per /64, which one
//     subscriber usually holds whole).
// Reminders are sent by the system, not asked for: they are capped per
// phone per day on their own counter, so a busy client's reminders never
// stop their login codes.
//
// A destination is counted under its pseudonym (src/events/identity/contact.ts),
// so no quota key holds a phone or an email.

export interface SendLimits {
  readonly codesPerDestinationPerHour: number;
  readonly codesPerAccountPerHour: number;
  readonly codeRequestsPerIp: number;
  readonly remindersPerPhonePerDay: number;
}

const HOUR = 3_600_000;
const IP_WINDOW_MS = 10 * 60_000;
const DAY = 86_400_000;

/** Who asks for a code to be sent where. */
export interface CodeSend {
  readonly purpose: CodePurpose;
  /** The pseudonym of the E.164 phone or lowercased email. */
  readonly destination: ContactPseudonym;
  /** The signed-in account that asks, if any. */
  readonly accountId?: string | undefined;
  /** The client's address as the server believes it (TRUST_PROXY). */
  readonly ip?: string | undefined;
}

/** The key of an address: IPv4 (and IPv4-mapped IPv6) whole, other IPv6 by its /64. */
export function ipKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export function codeQuotas(limits: SendLimits, send: CodeSend): Quota[] {
  const quotas: Quota[] = [
    { key: `send:cooldown:${send.purpose}:${send.destination}`, max: 1, windowMs: CODE_POLICY.resendCooldownMs },
    { key: `send:destination:${send.destination}`, max: limits.codesPerDestinationPerHour, windowMs: HOUR },
  ];
  if (send.accountId !== undefined) quotas.push({ key: `send:account:${send.accountId}`, max: limits.codesPerAccountPerHour, windowMs: HOUR });
  if (send.ip !== undefined) quotas.push({ key: `send:ip:${ipKey(send.ip)}`, max: limits.codeRequestsPerIp, windowMs: IP_WINDOW_MS });
  return quotas;
}

/** Claims the sending of one code, or says how long to wait; refused, nothing is counted. */
export function claimCodeSend(db: Kysely<Database>, limits: SendLimits, send: CodeSend, now: Date): Promise<QuotaDecision> {
  return takeQuotas(db, codeQuotas(limits, send), now);
}

/** Claims one appointment reminder to the phone of this pseudonym; refused, the reminder is skipped (it is not worth a retry). */
export function claimReminder(db: Kysely<Database>, limits: SendLimits, phone: ContactPseudonym, now: Date): Promise<QuotaDecision> {
  return takeQuotas(db, [{ key: `reminder:destination:${phone}`, max: limits.remindersPerPhonePerDay, windowMs: DAY }], now);
}

/** True when the refusal was the cooldown of one destination (a code was just sent there). */
export const isCooldown = (decision: Extract<QuotaDecision, { ok: false }>) => decision.key.startsWith('send:cooldown:');
