import type { Processes } from '../processes.js';
import { logAnchoring } from './anchoring.js';

/** The log is anchored by the clock; there are no reactors and no jobs. */
export const auditProcesses: Processes = {
  reactors: () => [],
  periodic: (context) => [logAnchoring(context)],
  jobs: () => ({}),
};
