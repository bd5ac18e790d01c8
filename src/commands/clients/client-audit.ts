import type { ClientAuditEvent, Viewer } from '../../events/clients/client-audit.js';
import type { Decider } from '../decider.js';

export type ClientAuditCommand = {
  type: 'RecordHistoryView';
  data: { subject: { kind: 'account'; clientId: string } | { kind: 'record'; recordId: string; organizationId: string }; viewer: Viewer; asOf: string | null; now: string };
};

/** Every look is recorded; there is no rule to break, only a fact to keep. */
export const clientAuditDecider: Decider<null, ClientAuditCommand, ClientAuditEvent> = {
  initialState: () => null,
  evolve: (state) => state,
  decide: (command) => {
    const { subject, viewer, asOf, now } = command.data;
    return subject.kind === 'account'
      ? [{ type: 'ClientHistoryViewed', data: { clientId: subject.clientId, viewer, asOf, viewedAt: now } }]
      : [{ type: 'ClientRecordHistoryViewed', data: { recordId: subject.recordId, organizationId: subject.organizationId, viewer, asOf, viewedAt: now } }];
  },
};
