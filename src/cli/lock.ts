import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// The embedded database (PGlite) is a folder that one process may open at a
// time: a second one (the CLI while `npm start` runs) would read and write the
// same files without the other knowing, and corrupt them. PostgreSQL needs no
// such lock; it serves any number of clients.
//
// The lock is a file beside the database, `DATA_DIR/pglite.lock`, holding the
// pid of its holder. A holder that died without removing it (killed, crashed)
// leaves a stale lock: its pid is no longer alive, and the next process takes
// it over. A pid is only meaningful on one machine (one PID namespace): two
// containers sharing one DATA_DIR volume are not told apart.

export const LOCK_FILE = 'pglite.lock';

/** EX_TEMPFAIL: try again once the holder stopped. */
export const LOCKED_EXIT_CODE = 75;

export class EmbeddedDatabaseLocked extends Error {
  override readonly name = 'EmbeddedDatabaseLocked';
  constructor(
    readonly pid: number,
    readonly holder: string,
    readonly path: string,
  ) {
    super(
      `The embedded database in ${path.replace(/[/\\]pglite\.lock$/, '')} is in use by process ${pid} (${holder}). ` +
        'PGlite allows one process at a time: stop that process (or let it finish) and try again, or set DATABASE_URL to use PostgreSQL, which allows several.',
    );
  }
}

export interface HeldLock {
  readonly path: string;
  /** Removes the lock file if it is still this process's. */
  release(): Promise<void>;
}

interface LockContent {
  readonly pid: number;
  readonly holder: string;
  readonly since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(path: string): Promise<{ raw: string; content: LockContent | undefined } | undefined> {
  try {
    const raw = await readFile(path, 'utf8');
    try {
      const parsed = JSON.parse(raw) as Partial<LockContent>;
      const valid = typeof parsed.pid === 'number' && Number.isInteger(parsed.pid) && parsed.pid > 0;
      return { raw, content: valid ? { pid: parsed.pid!, holder: String(parsed.holder ?? 'unknown'), since: String(parsed.since ?? '') } : undefined };
    } catch {
      return { raw, content: undefined };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Takes `dataDir/pglite.lock` for this process, or throws
 * EmbeddedDatabaseLocked naming the living process that holds it. `holder`
 * says who this is (`npm start`, `cli projections status`) to whoever is refused.
 */
export async function lockEmbeddedDatabase(dataDir: string, holder: string): Promise<HeldLock> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const content = `${JSON.stringify({ pid: process.pid, holder, since: new Date().toISOString() } satisfies LockContent)}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    // Written aside, then linked into place: the lock file appears whole or not at all.
    const aside = `${path}.${process.pid}`;
    await writeFile(aside, content);
    try {
      await link(aside, path);
      return {
        path,
        async release() {
          const current = await readLock(path);
          if (current?.raw === content) await unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await unlink(aside).catch(() => undefined);
    }
    const existing = await readLock(path);
    if (!existing) continue; // released meanwhile
    const { content: held } = existing;
    // Our own pid in the file is a previous life of this pid (a container's pid 1 after a restart), not a living holder.
    if (held && held.pid !== process.pid && alive(held.pid)) throw new EmbeddedDatabaseLocked(held.pid, held.holder, path);
    // Stale (its holder died) or unreadable: taken over, unless someone else took it over first.
    const again = await readLock(path);
    if (again?.raw === existing.raw) await unlink(path).catch(() => undefined);
  }
  throw new Error(`Could not take the lock ${path}: it keeps changing hands`);
}
