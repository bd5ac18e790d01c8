// Email senders: the console provider for development, SMTP otherwise.
import type { Transporter } from 'nodemailer';
import type { Logger } from '../queue.js';

export interface EmailSender {
  send(to: string, subject: string, text: string): Promise<void>;
}

/** Development provider: logs the whole message, codes included, instead of sending it. */
export function consoleEmail(logger: Logger): EmailSender {
  return {
    async send(to: string, subject: string, text: string): Promise<void> {
      logger.info({ to, subject, text }, 'email (console provider, not sent)');
    },
  };
}

/**
 * SMTP through nodemailer (loaded on the first message: about 10 MB a process
 * without email never needs); errors carry no message text (it holds the code).
 */
export function smtpEmail(options: { url: string; from: string }): EmailSender {
  let transport: Promise<Transporter> | undefined;
  return {
    async send(to: string, subject: string, text: string): Promise<void> {
      transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(options.url));
      try {
        await (await transport).sendMail({ from: options.from, to, subject, text });
      } catch (error) {
        const code = (error as { responseCode?: number; code?: string }).responseCode ?? (error as { code?: string }).code ?? 'unknown';
        throw new Error(`SMTP delivery failed (${String(code)})`);
      }
    },
  };
}
