import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * A server secret (32+ bytes) from configuration, or, in the embedded
 * default, generated once and kept in a 0600 file so a restart keeps it.
 */
export async function loadSecret(options: { configured?: string; file?: string }): Promise<Buffer> {
  if (options.configured !== undefined) return Buffer.from(options.configured, 'utf8');
  if (options.file === undefined) return randomBytes(32);
  const existing = await readSecret(options.file);
  if (existing) return existing;
  await mkdir(dirname(options.file), { recursive: true, mode: 0o700 });
  const temporary = `${options.file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
    await chmod(temporary, 0o600);
    // link() fails if another process created the file first: both then use its secret.
    await link(temporary, options.file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(temporary, { force: true });
  }
  const created = await readSecret(options.file);
  if (!created) throw new Error(`could not create the secret file ${options.file}`);
  return created;
}

async function readSecret(file: string): Promise<Buffer | undefined> {
  try {
    return Buffer.from((await readFile(file, 'utf8')).trim(), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
