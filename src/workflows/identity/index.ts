import { CODE_POLICY } from '../../auth/codes.js';
import type { Processes } from '../processes.js';
import { codeDeliveryReactor, SEND_CODE, sendCodeHandler } from './code-delivery.js';

/** One-time codes asked for in the log are sent by a job. */
export const identityProcesses: Processes = {
  reactors: ({ jobs }) => [codeDeliveryReactor(jobs)],
  jobs: ({ db, store, codeSecret, contacts, sms, email, now, logger }) => ({
    [SEND_CODE]: sendCodeHandler({ db, store, secret: codeSecret, contacts, sms, email, now, codeTtlMs: CODE_POLICY.ttlMs, logger }),
  }),
};
