import { randomUUID } from 'node:crypto';
import { chmod, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export interface SigningKeys {
  /** Signs access tokens; never leaves the process. */
  readonly privateKey: CryptoKey;
  /** Published at the JWKS endpoint: public part only, with kid, alg and use. */
  readonly publicJwk: JWK;
  readonly kid: string;
}

export interface LoadSigningKeysOptions {
  /** JSON of a private OKP Ed25519 JWK (kid optional), from configuration. */
  readonly privateJwk?: string;
  /** Embedded mode: the key is generated once and kept under this directory. */
  readonly dataDir?: string;
}

export const ALG = 'EdDSA';
export const KEY_FILE = join('keys', 'jwt-ed25519.json');

export async function loadSigningKeys(options: LoadSigningKeysOptions = {}): Promise<SigningKeys> {
  if (options.privateJwk !== undefined) return fromPrivateJwk(parsePrivateJwk(options.privateJwk));
  if (options.dataDir !== undefined) return fromPrivateJwk(await loadOrCreate(join(options.dataDir, KEY_FILE)));
  // Neither: an ephemeral key, so tokens die with the process (tests).
  return fromPrivateJwk(await generatePrivateJwk());
}

async function generatePrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk) };
}

function parsePrivateJwk(json: string): JWK {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('JWT signing key: not valid JSON');
  }
  const jwk = parsed as JWK;
  // Refuse anything but an Ed25519 private key: a public-only or symmetric key
  // here would be a misconfiguration that must stop the start.
  if (typeof parsed !== 'object' || parsed === null || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') {
    throw new Error('JWT signing key: expected an OKP JWK with crv Ed25519');
  }
  if (typeof jwk.d !== 'string' || typeof jwk.x !== 'string') {
    throw new Error('JWT signing key: the JWK has no private part (d)');
  }
  return jwk;
}

async function fromPrivateJwk(jwk: JWK): Promise<SigningKeys> {
  const publicOnly: JWK = { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
  const kid = jwk.kid ?? (await calculateJwkThumbprint(publicOnly));
  const privateKey = await importJWK({ ...jwk, ext: false }, ALG);
  if (privateKey instanceof Uint8Array || privateKey.type !== 'private') {
    throw new Error('JWT signing key: not a private key');
  }
  return { privateKey, kid, publicJwk: { ...publicOnly, kid, alg: ALG, use: 'sig' } };
}

/**
 * Reads the key file, or creates it when absent. Several processes (api,
 * worker) may start at once on one data directory: the key is written to a
 * private temporary file and hard-linked into place, which fails if another
 * process won, so nobody ever reads a half-written file or overwrites a key
 * that already signed tokens.
 */
async function loadOrCreate(path: string): Promise<JWK> {
  const existing = await readKeyFile(path);
  if (existing) return existing;
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomUUID()}.tmp`;
  const jwk = await generatePrivateJwk();
  try {
    await writeFile(temporary, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' });
    // The umask can only narrow the mode, but be explicit about the intent.
    await chmod(temporary, 0o600);
    await link(temporary, path);
    return jwk;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await readKeyFile(path);
    if (!winner) throw error;
    return winner;
  } finally {
    await rm(temporary, { force: true });
  }
}

async function readKeyFile(path: string): Promise<JWK | undefined> {
  try {
    return parsePrivateJwk(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`JWT signing key file ${path} is unreadable or invalid`, { cause: error });
  }
}
