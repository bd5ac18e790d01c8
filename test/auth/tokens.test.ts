import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { base64url, exportJWK, SignJWT, UnsecuredJWT } from 'jose';
import { KEY_FILE, loadSigningKeys, type SigningKeys } from '../../src/auth/keys.js';
import { createTokenService, InvalidToken } from '../../src/auth/tokens.js';

const issuer = 'https://booking.test';
const audience = 'booking-api';
const claims = { sub: '0b6f7a3e-8d55-4c1e-9f4a-2f3c5d6e7f80', kind: 'client' as const, sid: 'a1f0c5c2-4b7e-4c52-9d2b-3e1f0a9b8c7d' };
const T0 = new Date('2026-01-01T00:00:00Z');

function clock(start: Date): { now: () => Date; advance: (seconds: number) => void } {
  let current = start.getTime();
  return { now: () => new Date(current), advance: (seconds) => (current += seconds * 1000) };
}

async function rejects(t: Test, promise: Promise<unknown>, message: string): Promise<void> {
  await t.rejects(promise, InvalidToken, message);
  await promise.catch((error: unknown) => t.equal((error as Error).message, 'Invalid token', 'no reason leaks'));
}

// Signs arbitrary claims with our real key, to show that verification, not
// only issuing, enforces each rule.
function signWith(keys: SigningKeys, payload: Record<string, unknown>, exp?: number): Promise<string> {
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: 'EdDSA', kid: keys.kid, typ: 'at+jwt' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(claims.sub)
    .setJti('test-jti')
    .setIssuedAt(Math.floor(T0.getTime() / 1000));
  if (exp !== undefined) jwt.setExpirationTime(exp);
  return jwt.sign(keys.privateKey);
}

const encode = (value: unknown): string => base64url.encode(JSON.stringify(value));

t.test('access tokens', async (t) => {
  const keys = await loadSigningKeys();
  const time = clock(T0);
  const service = createTokenService({ keys, issuer, audience, now: time.now });
  const { token, expiresIn } = await service.issueAccess(claims);
  t.equal(expiresIn, 900);

  t.test('a valid token verifies', async (t) => {
    const verified = await service.verifyAccess(token);
    t.match(verified, { ...claims, iat: T0.getTime() / 1000, exp: T0.getTime() / 1000 + 900 });
    t.type(verified.jti, 'string');
    const header = JSON.parse(new TextDecoder().decode(base64url.decode(token.split('.')[0] ?? ''))) as Record<string, unknown>;
    t.same(header, { alg: 'EdDSA', kid: keys.kid, typ: 'at+jwt' });
  });

  t.test('the JWKS holds the public key only', async (t) => {
    const { keys: published } = service.jwks();
    t.equal(published.length, 1);
    t.match(published[0], { kty: 'OKP', crv: 'Ed25519', kid: keys.kid, alg: 'EdDSA', use: 'sig' });
    t.notOk(published[0] && 'd' in published[0], 'no private part');
  });

  t.test('a token signed by another key is rejected', async (t) => {
    const exp = T0.getTime() / 1000 + 60;
    t.match(await service.verifyAccess(await signWith(keys, claims, exp)), claims, 'control: the hand-made token verifies with our key');
    const other = await loadSigningKeys();
    const foreign = await createTokenService({ keys: other, issuer, audience, now: time.now }).issueAccess(claims);
    await rejects(t, service.verifyAccess(foreign.token), 'other key, its own kid');
    // Same kid as ours, other key: the signature check must still fail.
    await rejects(t, service.verifyAccess(await signWith({ ...other, kid: keys.kid }, claims, exp)), 'other key, our kid');
  });

  t.test('an HS256 token is rejected, even keyed with our public key', async (t) => {
    const publicX = base64url.decode(keys.publicJwk.x ?? '');
    for (const secret of [new TextEncoder().encode('a-shared-secret-of-enough-length!!'), publicX]) {
      const forged = await new SignJWT({ kind: 'admin', sid: claims.sid })
        .setProtectedHeader({ alg: 'HS256', kid: keys.kid, typ: 'at+jwt' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(claims.sub)
        .setExpirationTime(T0.getTime() / 1000 + 60)
        .sign(secret);
      await rejects(t, service.verifyAccess(forged), 'HS256');
    }
  });

  t.test('an unsecured (alg none) token is rejected', async (t) => {
    const body = { ...claims, iss: issuer, aud: audience, exp: T0.getTime() / 1000 + 60 };
    const plain = new UnsecuredJWT(body).encode();
    await rejects(t, service.verifyAccess(plain), 'jose UnsecuredJWT');
    const handmade = `${encode({ alg: 'none', kid: keys.kid, typ: 'at+jwt' })}.${encode(body)}.`;
    await rejects(t, service.verifyAccess(handmade), 'alg none with our kid');
    const stripped = token.split('.').slice(0, 2).join('.') + '.';
    await rejects(t, service.verifyAccess(stripped), 'our token without its signature');
  });

  t.test('a tampered payload is rejected', async (t) => {
    const [header, , signature] = token.split('.');
    const escalated = `${header}.${encode({ ...claims, kind: 'admin', iss: issuer, aud: audience, exp: 4e9 })}.${signature}`;
    await rejects(t, service.verifyAccess(escalated), 'kind changed to admin');
  });

  t.test('an expired token is rejected', async (t) => {
    const later = clock(T0);
    const service2 = createTokenService({ keys, issuer, audience, now: later.now, accessTtlSeconds: 60 });
    const short = await service2.issueAccess(claims);
    later.advance(59);
    t.ok(await service2.verifyAccess(short.token), 'valid one second before expiry');
    later.advance(1);
    await rejects(t, service2.verifyAccess(short.token), 'at exp');
    later.advance(3600);
    await rejects(t, service2.verifyAccess(short.token), 'an hour later');
  });

  t.test('a wrong issuer or audience is rejected', async (t) => {
    const wrongIss = createTokenService({ keys, issuer: 'https://evil.test', audience, now: time.now });
    const wrongAud = createTokenService({ keys, issuer, audience: 'other-api', now: time.now });
    await rejects(t, service.verifyAccess((await wrongIss.issueAccess(claims)).token), 'issuer');
    await rejects(t, service.verifyAccess((await wrongAud.issueAccess(claims)).token), 'audience');
  });

  t.test('a token without exp is rejected', async (t) => {
    await rejects(t, service.verifyAccess(await signWith(keys, { kind: 'client', sid: claims.sid })), 'no exp');
  });

  t.test('claims of the wrong shape or type are rejected', async (t) => {
    const exp = T0.getTime() / 1000 + 60;
    await rejects(t, service.verifyAccess(await signWith(keys, { kind: 'root', sid: claims.sid }, exp)), 'unknown kind');
    await rejects(t, service.verifyAccess(await signWith(keys, { kind: 'client' }, exp)), 'no sid');
    const idToken = await new SignJWT({ kind: 'client', sid: claims.sid })
      .setProtectedHeader({ alg: 'EdDSA', kid: keys.kid })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(claims.sub)
      .setIssuedAt(T0.getTime() / 1000)
      .setJti('x')
      .setExpirationTime(exp)
      .sign(keys.privateKey);
    await rejects(t, service.verifyAccess(idToken), 'no typ at+jwt');
    for (const garbage of ['', 'abc', 'a.b.c', token + 'x']) {
      await rejects(t, service.verifyAccess(garbage), `garbage ${JSON.stringify(garbage.slice(0, 12))}`);
    }
  });
});

t.test('signing keys', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'auth-keys-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));

  t.test('persist across restarts in a 0600 file', async (t) => {
    const first = await loadSigningKeys({ dataDir });
    const second = await loadSigningKeys({ dataDir });
    t.equal(second.kid, first.kid, 'same kid after a restart');
    t.same(second.publicJwk, first.publicJwk);
    const file = join(dataDir, KEY_FILE);
    t.equal((await stat(file)).mode & 0o777, 0o600, 'key file mode 0600');
    const stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    t.equal(stored.kid, first.kid);

    // A token from the first "process" verifies in the second.
    const issued = await createTokenService({ keys: first, issuer, audience }).issueAccess(claims);
    t.match(await createTokenService({ keys: second, issuer, audience }).verifyAccess(issued.token), claims);
  });

  t.test('processes starting together agree on one key', async (t) => {
    const dir = join(dataDir, 'race');
    const loaded = await Promise.all(Array.from({ length: 8 }, () => loadSigningKeys({ dataDir: dir })));
    t.equal(new Set(loaded.map((k) => k.kid)).size, 1);
  });

  t.test('a configured private JWK is used as given', async (t) => {
    const source = await loadSigningKeys();
    const keyDir = await mkdtemp(join(tmpdir(), 'auth-keys-jwk-'));
    t.teardown(() => rm(keyDir, { recursive: true, force: true }));
    // Round-trip through the file so we hold the private JWK as configuration would.
    const persisted = await loadSigningKeys({ dataDir: keyDir });
    const json = await readFile(join(keyDir, KEY_FILE), 'utf8');
    const configured = await loadSigningKeys({ privateJwk: json });
    t.equal(configured.kid, persisted.kid);
    t.not(configured.kid, source.kid, 'ephemeral keys differ');

    const { kid: _kid, ...withoutKid } = JSON.parse(json) as Record<string, unknown>;
    const derived = await loadSigningKeys({ privateJwk: JSON.stringify(withoutKid) });
    t.equal(derived.kid, persisted.kid, 'kid defaults to the RFC 7638 thumbprint');

    await t.rejects(loadSigningKeys({ privateJwk: 'not json' }), /not valid JSON/);
    await t.rejects(loadSigningKeys({ privateJwk: JSON.stringify(persisted.publicJwk) }), /no private part/);
    const hmac = await exportJWK(new TextEncoder().encode('secret'));
    await t.rejects(loadSigningKeys({ privateJwk: JSON.stringify(hmac) }), /Ed25519/);
  });
});
