import type { Upcaster } from '../event.js';
import type { EventCatalogue } from '../catalogue.js';
import { recordIdFor } from '../clients/client-record.js';
import * as appointment from './appointment.js';
import * as place from './place.js';
import * as schedule from './schedule.js';
import * as service from './service.js';
import * as specialist from './specialist.js';

type Data = Record<string, unknown>;

// Version 1 of appointment events named the person's ACCOUNT in `clientId`;
// version 2 names the organization's client RECORD (docs/trust-model.md). The
// record made from an account at an organization (by a booking there, or by
// the migration of a legacy membership) has the id `recordIdFor(organization,
// account)`, so an old booking reads as one of that record and still counts
// against new ones. Version 2 also lets a booking's cost be null (not set by staff).

const ofRecord = (organizationId: unknown, slot: unknown): Data => {
  const s = slot as Data;
  return { ...s, clientId: recordIdFor(String(organizationId), String(s.clientId)) };
};

/** v1 -> v2 of an appointment event: each of these slot fields names the record. */
const slotsOfRecord =
  (...fields: readonly string[]): Upcaster =>
  (data) => {
    const next: Data = { ...data, schemaVersion: 2 };
    for (const field of fields) next[field] = ofRecord(data.organizationId, data[field]);
    return next;
  };

/** Places, specialists and their hours, services, the day streams' claims, and appointments. */
export const schedulingEvents: EventCatalogue = {
  schemas: {
    AppointmentBooked: appointment.AppointmentBookedData,
    AppointmentRescheduled: appointment.AppointmentRescheduledData,
    AppointmentClaimRejected: appointment.AppointmentClaimRejectedData,
    AppointmentConfirmed: appointment.AppointmentConfirmedData,
    AppointmentCompleted: appointment.AppointmentCompletedData,
    AppointmentCancelled: appointment.AppointmentCancelledData,
    AppointmentMarkedNoShow: appointment.AppointmentMarkedNoShowData,
    AppointmentCostChanged: appointment.AppointmentCostChangedData,

    PlaceCreated: place.PlaceCreatedData,
    PlaceUpdated: place.PlaceUpdatedData,
    PlaceRemoved: place.PlaceRemovedData,

    ServiceCreated: service.ServiceCreatedData,
    ServiceUpdated: service.ServiceUpdatedData,
    ServiceRemoved: service.ServiceRemovedData,

    SlotClaimed: schedule.SlotClaimedData,
    SlotReleased: schedule.SlotReleasedData,

    SpecialistCreated: specialist.SpecialistCreatedData,
    SpecialistUpdated: specialist.SpecialistUpdatedData,
    SpecialistRemoved: specialist.SpecialistRemovedData,
    WorkingHoursSet: specialist.WorkingHoursSetData,
  },
  // Why an appointment was cancelled is free text about the client: the record's key encrypts it.
  personal: { AppointmentCancelled: { owner: (data) => String((data.slot as Data).clientId), fields: ['reason'] } },
  upcasters: {
    AppointmentBooked: [slotsOfRecord('slot')],
    AppointmentRescheduled: [slotsOfRecord('from', 'to')],
    AppointmentCompleted: [slotsOfRecord('slot')],
    AppointmentCancelled: [slotsOfRecord('slot')],
    AppointmentMarkedNoShow: [slotsOfRecord('slot')],
    // A claim carries its client at the top level.
    SlotClaimed: [(data) => ({ ...ofRecord(data.organizationId, data), schemaVersion: 2 })],
  },
};
