import type { ClientAuditEvent } from '../events/client-audit.js';
import type { Decider } from './decider.js';

export type ClientAuditCommand = {
  type: 'RecordHistoryView';
  data: { clientId: string; viewer: { kind: string; id: string | null }; asOf: string | null; now: string };
};

/** Every look is recorded; there is no rule to break, only a fact to keep. */
export const clientAuditDecider: Decider<null, ClientAuditCommand, ClientAuditEvent> = {
  initialState: () => null,
  evolve: (state) => state,
  decide: (command) => {
    const { clientId, viewer, asOf, now } = command.data;
    return [{ type: 'ClientHistoryViewed', data: { clientId, viewer, asOf, viewedAt: now } }];
  },
};
