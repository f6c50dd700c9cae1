/** The public surface of defaulting. */
export { applyDefaults } from './apply-defaults.js';
export {
  CONTROLLER_UID_LABEL, generateJobSelector, JOB_NAME_LABEL, LEGACY_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL,
} from './job-defaults.js';
export {
  DEFAULT_NODE_TOLERATION_SECONDS, DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS, defaultImagePullPolicy, imageTag,
} from './pod-defaults.js';
