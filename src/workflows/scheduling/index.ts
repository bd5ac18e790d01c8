import type { Processes } from '../processes.js';
import { APPOINTMENT_REMINDER, appointmentReminderHandler, reminderReactor } from './appointment-reminders.js';
import { claimSettlementReactor, RELEASE_TIME, releaseTimeHandler, SETTLE_CLAIM, settleClaimHandler } from './claim-settlement.js';

/** Every claim is settled and every freed time released; appointments get a reminder. */
export const schedulingProcesses: Processes = {
  reactors: ({ jobs, config, now }) => [claimSettlementReactor(jobs), reminderReactor({ jobs, leadMs: config.reminderLeadHours * 3_600_000, now })],
  jobs: ({ db, store, config, contacts, sms, now, logger }) => ({
    [APPOINTMENT_REMINDER]: appointmentReminderHandler({ store, db, limits: config.rateLimits, contacts, sms, now, logger }),
    [SETTLE_CLAIM]: settleClaimHandler({ store, now }),
    [RELEASE_TIME]: releaseTimeHandler({ store, now }),
  }),
};
