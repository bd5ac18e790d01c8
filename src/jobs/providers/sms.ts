// SMS senders. The message text carries one-time codes, so it never enters a
// log or an error, except through consoleSms, the development provider whose
// whole point is to show the code.
import type { Logger } from '../queue.js';

export interface SmsSender {
  /** `to` in E.164. */
  send(to: string, text: string): Promise<void>;
}

export function consoleSms(logger: Logger): SmsSender {
  return {
    async send(to: string, text: string): Promise<void> {
      logger.info({ to, text }, 'sms (console provider, not sent)');
    },
  };
}

export interface HttpSmsOptions {
  url: string;
  /** Sent as the Authorization header verbatim, e.g. "Bearer ..." or "Basic ...". */
  authHeader?: string;
  /** Request body; {{to}} and {{text}} are replaced by JSON-escaped values, e.g. {"to":"{{to}}","msg":"{{text}}"}. */
  bodyTemplate: string;
  contentType?: string;
  timeoutMs?: number;
}

export function httpSms(options: HttpSmsOptions): SmsSender {
  const timeoutMs = options.timeoutMs ?? 5000;
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  if (options.authHeader) headers.authorization = options.authHeader;

  return {
    async send(to: string, text: string): Promise<void> {
      const body = renderTemplate(options.bodyTemplate, { to, text });
      let response: Response;
      try {
        response = await fetch(options.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        // Neither the URL (gateways often put an API key in it) nor the cause goes into the message.
        if (err instanceof Error && err.name === 'TimeoutError') {
          throw new Error(`SMS gateway did not answer within ${timeoutMs} ms`);
        }
        throw new Error(`SMS gateway request failed${causeCode(err)}`);
      }
      // Drain so the keep-alive socket is released; the body may echo the message, so it is not read.
      await response.body?.cancel().catch(() => undefined);
      if (!response.ok) throw new Error(`SMS gateway answered HTTP ${response.status}`);
    },
  };
}

// One pass over the template, so a value containing "{{to}}" is not substituted again.
export function renderTemplate(template: string, values: { to: string; text: string }): string {
  return template.replace(/\{\{(to|text)\}\}/g, (_match, key: 'to' | 'text') => JSON.stringify(values[key]).slice(1, -1));
}

function causeCode(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  const code = cause && typeof cause === 'object' && 'code' in cause ? cause.code : undefined;
  return typeof code === 'string' ? ` (${code})` : '';
}
