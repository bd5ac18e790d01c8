import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { CODE_POLICY } from '../../../auth/codes.js';

// Seed 004's `user_id`: the handle of one login request that the login code
// is verified against. The seed hands out the account's id there; that would
// give an account id to anyone who knows a phone, and answering only for
// known phones would tell strangers who is a client. So it names the
// request instead, without new state: the phone and the second it was asked
// for, sealed in one AES block under a key derived from the code secret, and
// written like a UUID. Only this server can make one; a forged or altered
// one opens to a block whose check bytes are not zero (2^-40 chance), and
// one past the code's lifetime is refused, so both answer "login first".

const PHONE_BYTES = 7; // up to 15 E.164 digits < 2^50
const TIME_BYTES = 4; // seconds since the epoch
const CHECK_BYTES = 16 - PHONE_BYTES - TIME_BYTES;
const HEX_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A key of its own, so a handle can never be mistaken for a code's HMAC or the other way round. */
const keyOf = (codeSecret: Buffer): Buffer => createHmac('sha256', codeSecret).update('compat-004 login request').digest().subarray(0, 16);

function seal(key: Buffer, block: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

function open(key: Buffer, block: Buffer): Buffer {
  const decipher = createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  return Buffer.concat([decipher.update(block), decipher.final()]);
}

const asUuid = (hex: string): string => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

/** The handle of a login asked for this E.164 phone now. */
export function loginRequestId(codeSecret: Buffer, phone: string, now: Date): string {
  const block = Buffer.alloc(16);
  block.writeBigUInt64BE(BigInt(phone.slice(1)) << 8n, 0); // the phone's 7 bytes first; its low byte is overwritten below
  block.writeUInt32BE(Math.floor(now.getTime() / 1000), PHONE_BYTES);
  block.fill(0, PHONE_BYTES + TIME_BYTES);
  return asUuid(seal(keyOf(codeSecret), block).toString('hex'));
}

/** The E.164 phone of a login request this server issued and whose code may still be valid; undefined for anything else. */
export function pendingLoginPhone(codeSecret: Buffer, userId: string, now: Date): string | undefined {
  if (!HEX_UUID.test(userId)) return undefined;
  const block = open(keyOf(codeSecret), Buffer.from(userId.replaceAll('-', ''), 'hex'));
  if (!block.subarray(PHONE_BYTES + TIME_BYTES).equals(Buffer.alloc(CHECK_BYTES))) return undefined;
  const issuedMs = block.readUInt32BE(PHONE_BYTES) * 1000;
  if (now.getTime() >= issuedMs + CODE_POLICY.ttlMs) return undefined;
  const digits = block.readBigUInt64BE(0) >> 8n;
  return digits === 0n ? undefined : `+${digits.toString()}`;
}
