import type { Projection } from '../projection.js';

// No read models: the anchors are few (one an interval) and read from their
// own stream, newest first, and verification reads the log itself, never a
// table that could be rewritten along with it.
export const auditProjections: readonly Projection[] = [];
