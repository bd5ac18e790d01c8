/** A broken business rule; the API maps its kind to an HTTP status in one place. */
export type DomainErrorKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'too_many_requests';

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    /** Per-field messages, for `invalid`. */
    readonly fields?: Record<string, string[]>,
    /** For `too_many_requests`: when to try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const tooManyRequests = (message: string, retryAfterSeconds: number) => new DomainError('too_many_requests', message, undefined, retryAfterSeconds);

export const conflict = (message: string) => new DomainError('conflict', message);
export const invalid = (field: string, message: string) => new DomainError('invalid', 'Invalid input.', { [field]: [message] });

/** A decision refused because of what the stream already holds (409). */
export const isConflict = (error: unknown): error is DomainError => error instanceof DomainError && error.kind === 'conflict';
