import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, SignJWT, type JWK } from 'jose';
import { ALG, type SigningKeys } from './keys.js';

export type AccessKind = 'client' | 'user' | 'admin';

export interface AccessClaims {
  readonly sub: string;
  readonly kind: AccessKind;
  /** The session: the refresh token family the access token was issued for. */
  readonly sid: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

/** Every verification failure, whatever the cause; the reason stays in `cause` for logs only. */
export class InvalidToken extends Error {
  constructor(options?: { cause?: unknown }) {
    super('Invalid token', options);
    this.name = 'InvalidToken';
  }
}

export interface TokenServiceOptions {
  readonly keys: SigningKeys;
  readonly issuer: string;
  readonly audience: string;
  readonly accessTtlSeconds?: number;
  readonly now?: () => Date;
}

export interface TokenService {
  issueAccess(claims: { sub: string; kind: AccessKind; sid: string }): Promise<{ token: string; expiresIn: number }>;
  verifyAccess(token: string): Promise<AccessClaims>;
  jwks(): { keys: JWK[] };
}

// RFC 9068 media type: an ID token or any other JWT signed by the same key
// cannot be replayed as an access token.
const TYP = 'at+jwt';
const VERIFIED_CACHE_SIZE = 10_000;
const KINDS: ReadonlySet<string> = new Set<AccessKind>(['client', 'user', 'admin']);

export function createTokenService(options: TokenServiceOptions): TokenService {
  const { keys, issuer, audience, accessTtlSeconds = 900, now = () => new Date() } = options;
  // Verify through a key set chosen by kid, so adding the previous public key
  // here is all a key rotation will need.
  const published: JWK[] = [keys.publicJwk];
  const keySet = createLocalJWKSet({ keys: published });
  // Token string -> its verified claims, oldest dropped first.
  const verified = new Map<string, AccessClaims>();

  return {
    async issueAccess({ sub, kind, sid }) {
      const iat = Math.floor(now().getTime() / 1000);
      const token = await new SignJWT({ kind, sid })
        .setProtectedHeader({ alg: ALG, kid: keys.kid, typ: TYP })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(sub)
        .setJti(randomUUID())
        .setIssuedAt(iat)
        .setExpirationTime(iat + accessTtlSeconds)
        .sign(keys.privateKey);
      return { token, expiresIn: accessTtlSeconds };
    },

    async verifyAccess(token) {
      // A signature verified once need not be verified again on every request
      // of the same token (the benchmark's largest CPU cost after I/O); the
      // expiry is still checked against the clock each time, and sessions are
      // checked by the caller on every request.
      const cached = verified.get(token);
      if (cached) {
        if (cached.exp * 1000 > now().getTime()) return cached;
        verified.delete(token);
      }
      try {
        const { payload } = await jwtVerify(token, keySet, {
          algorithms: [ALG],
          issuer,
          audience,
          typ: TYP,
          requiredClaims: ['exp', 'iss', 'aud', 'sub'],
          currentDate: now(),
        });
        const { sub, kind, sid, iat, exp, jti } = payload;
        if (typeof sub !== 'string' || typeof kind !== 'string' || !KINDS.has(kind) || typeof sid !== 'string') {
          throw new Error('unexpected claims');
        }
        if (typeof exp !== 'number' || typeof iat !== 'number' || typeof jti !== 'string') {
          throw new Error('unexpected claims');
        }
        const claims: AccessClaims = { sub, kind: kind as AccessKind, sid, iat, exp, jti };
        if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
        verified.set(token, claims);
        return claims;
      } catch (error) {
        throw new InvalidToken({ cause: error });
      }
    },

    jwks() {
      return { keys: published.map((jwk) => ({ ...jwk })) };
    },
  };
}
