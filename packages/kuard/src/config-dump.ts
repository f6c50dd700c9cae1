import { goJsonIndent } from '@kjobs/memq';
import type { KuardConfig } from './flags.js';

/**
 * viper's AllSettings() as kuard dumps it at startup (`Config: \n{...}`), keys sorted, indented
 * two spaces. The kjobs-only key size is left out so the dump reads as kuard's.
 */
export function configDump(c: KuardConfig): string {
  const settings = {
    address: c.address,
    debug: c.debug,
    'debug-sitedata-dir': c.debugSitedataDir,
    keygen: {
      enable: c.keygen.enable,
      'exit-code': c.keygen.exitCode,
      'exit-on-complete': c.keygen.exitOnComplete,
      'memq-queue': c.keygen.memQQueue,
      'memq-server': c.keygen.memQServer,
      'num-to-gen': c.keygen.numToGen,
      'time-to-run': c.keygen.timeToRun,
    },
    liveness: { 'fail-next': c.livenessFailNext },
    readiness: { 'fail-next': c.readinessFailNext },
    'tls-address': c.tlsAddress,
    'tls-dir': c.tlsDir,
  };
  return `Config: \n${goJsonIndent(settings, true)}\n`;
}
