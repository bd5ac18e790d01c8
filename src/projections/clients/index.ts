import { clientAccountsProjection } from './client-accounts.js';
import { clientRecordsProjection } from './client-records.js';

export const clientProjections = [clientAccountsProjection, clientRecordsProjection];
