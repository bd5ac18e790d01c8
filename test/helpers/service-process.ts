import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The service as `npm start` runs it: a real process, its log lines as they come. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Where it listens, from its "Server listening at" line. */
  readonly url: string;
  /** Every line it wrote, stdout and stderr. */
  readonly lines: string[];
}

/** Starts `dist/src/main.js` with `env` (PORT 0) and resolves once it listens; rejects with its output if it exits first. */
export async function startService(env: NodeJS.ProcessEnv): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['dist/src/main.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => lines.push(line));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in 60 s:\n${lines.join('\n')}`)), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${lines.join('\n')}`)));
  });
  return { child, url, lines };
}
