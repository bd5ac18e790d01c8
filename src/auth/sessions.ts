import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { Subject } from './credentials.js';
import { issueRefresh } from './refresh-tokens.js';
import type { TokenService } from './tokens.js';

export interface SessionTokens {
  readonly access: string;
  readonly refresh: string;
  /** Seconds until the access token expires. */
  readonly expires_in: number;
}

/** A new session: a refresh token family and an access token bound to it. */
export async function startSession(db: Kysely<Database>, tokens: TokenService, subject: Subject, now: Date): Promise<SessionTokens> {
  const refresh = await issueRefresh(db, { subject, now });
  const access = await tokens.issueAccess({ sub: subject.id, kind: subject.kind, sid: refresh.familyId });
  return { access: access.token, refresh: refresh.token, expires_in: access.expiresIn };
}
