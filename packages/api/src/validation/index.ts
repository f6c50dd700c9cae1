/** The public surface of validation: what the api-server, scheduler and controllers reuse. */
export { validate, validateStatusUpdate } from './validate.js';
export type { CauseReason, FieldCause } from './field-errors.js';
export {
  canonicalQuantity, compareQuantities, formatQuantity, parseQuantity, parseQuantityExact, quantityError, quantityValue,
  QUANTITY_FORMAT_ERROR, type ParsedQuantity, type QuantityFormat,
} from './quantity.js';
export {
  dns1035LabelErrors, dns1123LabelErrors, dns1123SubdomainErrors, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain,
  isQualifiedName, isValidLabelValue, labelValueErrors, qualifiedNameErrors,
} from './names.js';
export { validateAnnotations, validateLabels } from './object-meta.js';
export { cronScheduleError } from '../cron/cron-grammar.js';
export { isKnownTimeZone } from './time-zone.js';
export { countIndexes } from './job-policies.js';
export { MAX_CRONJOB_NAME_LENGTH } from './cronjob.js';
export { configMapKeyErrors, MAX_SECRET_SIZE } from './config-data.js';
