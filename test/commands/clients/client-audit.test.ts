import t from 'tap';
import { clientAuditDecider, type ClientAuditCommand } from '../../../src/commands/clients/client-audit.js';
import type { ClientAuditEvent, Viewer } from '../../../src/events/clients/client-audit.js';
import { specification } from '../spec.js';

// The one command of the audit streams: every look at a client's history is
// recorded, in the account's stream or in the organization's record's.

const clientId = '0b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const recordId = '3f1e2d4c-5b6a-4798-8a7b-6c5d4e3f2a10';
const organizationId = '9d7a4f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const staff: Viewer = { kind: 'staff', id: '5a2e7c9b-8f14-4b0a-a1d2-6c3e9f0b2d44' };
const cli: Viewer = { kind: 'cli', id: null };
const t0 = '2026-11-23T10:00:00.000Z';
const t1 = '2026-11-23T10:01:00.000Z';
const asOf = '2026-11-01T00:00:00.000Z';

const accountViewed = (viewer: Viewer, at: string | null, viewedAt = t1): ClientAuditEvent => ({ type: 'ClientHistoryViewed', data: { clientId, viewer, asOf: at, viewedAt } });
const recordViewed = (viewer: Viewer, at: string | null, viewedAt = t1): ClientAuditEvent => ({
  type: 'ClientRecordHistoryViewed',
  data: { recordId, organizationId, viewer, asOf: at, viewedAt },
});

const viewAccount = (viewer: Viewer, at: string | null): ClientAuditCommand => ({ type: 'RecordHistoryView', data: { subject: { kind: 'account', clientId }, viewer, asOf: at, now: t1 } });
const viewRecord = (viewer: Viewer, at: string | null): ClientAuditCommand => ({
  type: 'RecordHistoryView',
  data: { subject: { kind: 'record', recordId, organizationId }, viewer, asOf: at, now: t1 },
});

t.test('RecordHistoryView', async (t) => {
  t.test("a look at an account's history is recorded with who looked, as of when, and when", async (t) => {
    specification(t)(clientAuditDecider, []).when(viewAccount(cli, null)).then([accountViewed(cli, null)]);
  });
  t.test("a look at an organization's record is recorded with its organization", async (t) => {
    specification(t)(clientAuditDecider, []).when(viewRecord(staff, asOf)).then([recordViewed(staff, asOf)]);
  });
  t.test('every look is recorded, however many came before: there is nothing to refuse', async (t) => {
    specification(t)(clientAuditDecider, [accountViewed(staff, null, t0), accountViewed(staff, null, t0)]).when(viewAccount(staff, null)).then([accountViewed(staff, null)]);
    specification(t)(clientAuditDecider, [recordViewed(staff, asOf, t0)]).when(viewRecord(staff, asOf)).then([recordViewed(staff, asOf)]);
  });
});
