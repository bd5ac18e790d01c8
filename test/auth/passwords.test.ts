import t from 'tap';
import { availableParallelism } from 'node:os';
import { parseOptions } from '@node-rs/argon2';
import {
  ARGON2_PARAMS,
  DUMMY_HASH,
  dummyVerify,
  hashPassword,
  needsRehash,
  passwordWork,
  verifyPassword,
} from '../../src/auth/passwords.js';

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

t.test('hash and verify with the OWASP argon2id parameters', async (t) => {
  const stored = await hashPassword('correct horse battery staple');
  t.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  t.not(stored, await hashPassword('correct horse battery staple'), 'a fresh salt every time');
  t.equal(await verifyPassword(stored, 'correct horse battery staple'), true);
  t.equal(await verifyPassword(stored, 'correct horse battery stapl'), false);
  t.equal(await verifyPassword(stored, ''), false);
  t.equal(needsRehash(stored), false);
  t.equal(needsRehash('$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'), true);
});

t.test('a malformed hash is a failed login, never an exception', async (t) => {
  for (const broken of ['', 'plain-text', '$argon2id$v=19$m=19456', '$2b$10$abcdefghijklmnopqrstuv']) {
    t.equal(await verifyPassword(broken, 'anything'), false, JSON.stringify(broken));
  }
});

t.test('the dummy verification costs what a real one costs', async (t) => {
  const used = parseOptions(DUMMY_HASH);
  t.same(
    { algorithm: used.algorithm, memoryCost: used.memoryCost, timeCost: used.timeCost, parallelism: used.parallelism },
    { ...ARGON2_PARAMS },
    'the fixed hash was made with the current parameters',
  );
  t.equal(await dummyVerify('whatever'), false);

  const stored = await hashPassword('secret');
  const real: number[] = [];
  const dummy: number[] = [];
  for (let i = 0; i < 5; i++) {
    real.push(await timed(() => verifyPassword(stored, 'wrong')));
    dummy.push(await timed(() => dummyVerify('wrong')));
  }
  const ratio = median(dummy) / median(real);
  t.ok(ratio > 0.5 && ratio < 2, `dummy/real time ratio ${ratio.toFixed(2)} is close to 1`);
});

t.test('no more hashes run at once than the machine has cores; the rest wait their turn', async (t) => {
  const cores = Math.max(1, availableParallelism());
  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, passwordWork.activeCount)), 1);
  const work = Array.from({ length: cores * 3 }, (_, i) => hashPassword(`password-${i}`));
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(passwordWork.activeCount, cores, 'as many running as there are cores');
  t.equal(passwordWork.pendingCount, cores * 2, 'the others queued');
  const hashes = await Promise.all([...work, verifyPassword(await hashPassword('again'), 'again')]);
  clearInterval(sample);
  t.equal(new Set(hashes.slice(0, -1)).size, cores * 3, 'every queued hash was made');
  t.equal(hashes.at(-1), true);
  t.ok(peak <= cores, `never more than ${cores} at once (peak ${peak})`);
  t.equal(passwordWork.activeCount + passwordWork.pendingCount, 0, 'nothing left behind');
});
