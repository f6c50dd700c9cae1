export { MAX_GO_DURATION_MS, goDurationMs, parseGoDuration } from './go-duration.js';
export { formatRfc1123Z, rfc3339, rfc3339Micro } from './timestamps.js';
