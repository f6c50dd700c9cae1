import { generateJobSelector, type KObject } from '@kjobs/api';
import { defineStrategy } from './strategy.js';

/**
 * Jobs (pkg/registry/batch/job/strategy.go): a new Job gets its generated selector and
 * `controller-uid` labels unless `manualSelector`; a DELETE that names no propagation policy
 * orphans the pods (batch/v1's DefaultGarbageCollectionPolicy, kept for backward compatibility).
 */
export const jobStrategy = defineStrategy('Job', {
  prepareForCreate: (o) => generateJobSelector(o as never) as unknown as KObject,
  defaultPropagation: 'Orphan',
});
