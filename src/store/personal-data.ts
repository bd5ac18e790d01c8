import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ERASED, type PersonalFields } from '../events/personal.js';

// AES-256-GCM over each string of an event's personal fields, bound to the
// key's owner (additional authenticated data), so a ciphertext moved to
// another owner's event does not open. A string that does not open (its key
// destroyed, or the bytes altered: `audit verify` names those) reads as ERASED.

const PREFIX = 'pii:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function encrypt(text: string, key: Buffer, owner: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(owner, 'utf8'));
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

function decrypt(text: string, key: Buffer | undefined, owner: string): string {
  if (!text.startsWith(PREFIX)) return text;
  if (!key) return ERASED;
  try {
    const bytes = Buffer.from(text.slice(PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES)).setAAD(Buffer.from(owner, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return ERASED;
  }
}

/** Every string inside `value` mapped by `f`; keys of records stay as they are (they name things, like a link's site). */
function mapStrings(value: unknown, f: (text: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, f));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  return value;
}

/**
 * The data with its personal fields encrypted under `key`; with no key (the
 * owner was erased) they are written as ERASED, since nobody could read them.
 */
export function sealPersonal(data: Record<string, unknown>, declared: PersonalFields, owner: string, key: Buffer | undefined): Record<string, unknown> {
  const sealed = { ...data };
  const f = key ? (text: string) => encrypt(text, key, owner) : () => ERASED;
  for (const field of declared.fields) if (field in sealed) sealed[field] = mapStrings(sealed[field], f);
  return sealed;
}

/** The data with every ciphertext opened; ERASED where the owner's key is gone. */
export function openPersonal(data: unknown, owner: string, key: Buffer | undefined): unknown {
  return mapStrings(data, (text) => decrypt(text, key, owner));
}
