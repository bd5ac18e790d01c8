import type { EventCatalogue } from '../catalogue.js';
import { LogAnchoredData } from './anchors.js';

/** The events of tamper evidence: the log's anchors. */
export const auditEvents: EventCatalogue = {
  schemas: {
    LogAnchored: LogAnchoredData,
  },
};
