import { auditApi } from './api/audit/index.js';
import { calendarApi, calendarFeeds } from './api/calendar/index.js';
import { clientsApi } from './api/clients/index.js';
import type { Routes } from './api/dependencies.js';
import { identityApi } from './api/identity/index.js';
import { organizationsApi } from './api/organizations/index.js';
import { schedulingApi } from './api/scheduling/index.js';
import { waitlistApi } from './api/waitlist/index.js';
import { webhooksApi } from './api/webhooks/index.js';
import { auditEvents } from './events/audit/index.js';
import { calendarEvents } from './events/calendar/index.js';
import type { EventCatalogue } from './events/catalogue.js';
import { clientEvents } from './events/clients/index.js';
import { identityEvents } from './events/identity/index.js';
import { organizationEvents } from './events/organizations/index.js';
import { schedulingEvents } from './events/scheduling/index.js';
import { waitlistEvents } from './events/waitlist/index.js';
import { webhookEvents } from './events/webhooks/index.js';
import { auditProjections } from './projections/audit/index.js';
import { calendarProjections } from './projections/calendar/index.js';
import { clientProjections } from './projections/clients/index.js';
import { identityProjections } from './projections/identity/index.js';
import { organizationProjections } from './projections/organizations/index.js';
import type { Projection } from './projections/projection.js';
import { schedulingProjections } from './projections/scheduling/index.js';
import { waitlistProjections } from './projections/waitlist/index.js';
import { webhookProjections } from './projections/webhooks/index.js';
import { auditProcesses } from './workflows/audit/index.js';
import { identityProcesses } from './workflows/identity/index.js';
import type { Processes } from './workflows/processes.js';
import { schedulingProcesses } from './workflows/scheduling/index.js';
import { waitlistProcesses } from './workflows/waitlist/index.js';
import { webhookProcesses } from './workflows/webhooks/index.js';

/**
 * A capability of the service, as the rest of the house wires it: the events
 * it writes (checked on append, upcast on read), its read models, the
 * processes its events drive (reactors and their jobs), and its routes under
 * /api/v1. Its tables come with its migration (src/db/migrations/, dated) and
 * its table types (declared beside its projection); its deciders and
 * workflows are reached from its routes.
 */
export interface Capability {
  readonly name: string;
  readonly events: EventCatalogue;
  readonly projections: readonly Projection[];
  readonly processes?: Processes;
  readonly routes: Routes;
  /** Routes served at the root, outside /api/v1 (a calendar feed's URL); they declare their access like the others. */
  readonly rootRoutes?: Routes;
}

/** The one list. Read models start and rebuild in this order, and routes are listed in it. */
export const capabilities: readonly Capability[] = [
  { name: 'clients', events: clientEvents, projections: clientProjections, routes: clientsApi },
  { name: 'identity', events: identityEvents, projections: identityProjections, processes: identityProcesses, routes: identityApi },
  { name: 'organizations', events: organizationEvents, projections: organizationProjections, routes: organizationsApi },
  { name: 'scheduling', events: schedulingEvents, projections: schedulingProjections, processes: schedulingProcesses, routes: schedulingApi },
  { name: 'waitlist', events: waitlistEvents, projections: waitlistProjections, processes: waitlistProcesses, routes: waitlistApi },
  { name: 'calendar', events: calendarEvents, projections: calendarProjections, routes: calendarApi, rootRoutes: calendarFeeds },
  { name: 'webhooks', events: webhookEvents, projections: webhookProjections, processes: webhookProcesses, routes: webhooksApi },
  // Tamper evidence: its reactor anchors every capability's events, so it reads the list once it is complete.
  { name: 'audit', events: auditEvents, projections: auditProjections, processes: auditProcesses, routes: auditApi },
];
