import { describe, expect, it } from 'vitest';
import { configDump } from './config-dump.js';
import { defaultConfig } from './flags.js';

describe('configDump (viper AllSettings as kuard logs it)', () => {
  it('matches kuard for the defaults, keys sorted, kjobs-only key size left out', () => {
    expect(configDump(defaultConfig())).toBe(`Config: 
{
  "address": ":8080",
  "debug": false,
  "debug-sitedata-dir": "./sitedata",
  "keygen": {
    "enable": false,
    "exit-code": 0,
    "exit-on-complete": false,
    "memq-queue": "",
    "memq-server": "",
    "num-to-gen": 0,
    "time-to-run": 0
  },
  "liveness": {
    "fail-next": 0
  },
  "readiness": {
    "fail-next": 0
  },
  "tls-address": ":8443",
  "tls-dir": "/tls"
}
`);
  });
});
