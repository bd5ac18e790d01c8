import t from 'tap';
import { calendarFeedDecider, type CalendarFeedCommand } from '../../../src/commands/calendar/feed.js';
import type { CalendarFeedEvent } from '../../../src/events/calendar/feed.js';
import { clientLabel, summaryOf } from '../../../src/api/calendar/ics.js';
import { redactedFeedPath } from '../../../src/api/calendar/tokens.js';
import { specification } from '../spec.js';

// Every command of a calendar feed's stream (`calendar-feed-{id}`),
// given/when/then; and what a feed's summary shows of the client.

const feedId = '1b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const organizationId = '9d7a4f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const specialistId = '2c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const by = { kind: 'user', id: '6c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f' };
const tokenHash = 'a'.repeat(64);
const t0 = '2026-01-01T00:00:00.000Z';
const t1 = '2026-01-01T00:10:00.000Z';

const create = (description = 'phone'): CalendarFeedCommand => ({ type: 'CreateFeed', data: { feedId, organizationId, specialistId, clientDetails: 'initials', description, tokenHash, by, now: t0 } });
const revoke: CalendarFeedCommand = { type: 'RevokeFeed', data: { by, now: t1 } };
const created: CalendarFeedEvent = { type: 'CalendarFeedCreated', data: { feedId, organizationId, specialistId, clientDetails: 'initials', description: 'phone', tokenHash, createdBy: by, createdAt: t0 } };
const revoked: CalendarFeedEvent = { type: 'CalendarFeedRevoked', data: { feedId, organizationId, specialistId, revokedBy: by, revokedAt: t1 } };

t.test('CreateFeed', async (t) => {
  t.test('a feed is made with the hash of its token, never the token', async (t) => {
    specification(t)(calendarFeedDecider, []).when(create()).then([created]);
  });
  t.test('once: conflict', async (t) => {
    specification(t)(calendarFeedDecider, [created]).when(create()).thenThrows('conflict');
  });
  t.test('a description over 200 characters: invalid', async (t) => {
    specification(t)(calendarFeedDecider, []).when(create('x'.repeat(201))).thenThrows('invalid');
  });
  t.test('anything but a hex SHA-256 is a programming error, never appended', async (t) => {
    const command = { ...create(), data: { ...create().data, tokenHash: 'the-token-itself' } } as CalendarFeedCommand;
    t.throws(() => calendarFeedDecider.decide(command, calendarFeedDecider.initialState()), /SHA-256/);
  });
});

t.test('RevokeFeed', async (t) => {
  t.test('a live feed is revoked', async (t) => {
    specification(t)(calendarFeedDecider, [created]).when(revoke).then([revoked]);
  });
  t.test('again: nothing new', async (t) => {
    specification(t)(calendarFeedDecider, [created, revoked]).when(revoke).then([]);
  });
  t.test('no such feed: not found', async (t) => {
    specification(t)(calendarFeedDecider, []).when(revoke).thenThrows('not_found');
  });
});

t.test('what a summary shows of the client', async (t) => {
  const anna = { firstName: 'Anna', lastName: 'Karenina' };
  const appointment = (service: string, client = anna) => ({ id: feedId, startsAt: new Date(t0), endsAt: new Date(t1), status: 'confirmed' as const, service, placeName: null, updatedAt: new Date(t0), client });
  t.equal(summaryOf('none', appointment('Massage')), 'Massage', 'none: the service only');
  t.equal(summaryOf('none', appointment('  ')), 'Appointment', 'no service: "Appointment"');
  t.equal(summaryOf('initials', appointment('Massage')), 'Massage · A. K.');
  t.equal(summaryOf('name', appointment('Massage')), 'Massage · Anna Karenina');
  t.equal(clientLabel('initials', { firstName: 'élodie', lastName: '' }), 'É.', 'one name, upper-cased');
  t.equal(clientLabel('initials', { firstName: '𝒜da', lastName: 'Lovelace' }), '𝒜. L.', 'a whole code point, not half of a pair');
  t.equal(clientLabel('name', { firstName: '[erased]', lastName: '[erased]' }), undefined, 'erased names show nothing');
  t.equal(clientLabel('name', undefined), undefined, 'no record to name (removed): nothing');
});

t.test('a feed path is logged without its token', async (t) => {
  t.equal(redactedFeedPath('/calendar/q2Xc7mJ0b9VwK3tE1yLrA8sPzN5uH4gD6fQiW0oRkTe.ics'), '/calendar/[redacted].ics');
  t.equal(redactedFeedPath('/calendar/q2Xc7mJ0b9VwK3tE1yLrA8sPzN5uH4gD6fQiW0oRkTe.ics?x=1'), '/calendar/[redacted].ics?x=1');
  t.equal(redactedFeedPath('/api/v1/specialists/1/calendar-feeds'), '/api/v1/specialists/1/calendar-feeds');
});
