// A logger that keeps what it is told, for tests that check what was logged.

export interface LogEntry {
  readonly level: 'info' | 'warn' | 'error';
  readonly obj: Record<string, unknown>;
  readonly msg: string | undefined;
}

export interface RecordingLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export function recordingLogger(): { logger: RecordingLogger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  // A copy: a caller may reuse and change the object after logging it.
  const at = (level: LogEntry['level']) => (obj: object, msg?: string) => void entries.push({ level, obj: { ...obj }, msg });
  return { logger: { info: at('info'), warn: at('warn'), error: at('error') }, entries };
}
