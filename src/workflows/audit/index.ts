import type { EventCatalogue } from '../../events/catalogue.js';
import type { Processes } from '../processes.js';
import { anchorReactor } from './anchor-reactor.js';

/**
 * The log is anchored by a reactor; there are no jobs. It reacts to every
 * capability's events, so it is given the catalogues once they are all known.
 */
export function auditProcesses(catalogues: () => readonly EventCatalogue[]): Processes {
  return {
    reactors: (context) => [anchorReactor(context, catalogues())],
    jobs: () => ({}),
  };
}
