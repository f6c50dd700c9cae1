import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { bool, cidr, custom, duration, int, listenAddress, oneOf, path, secret, text, url } from './setting-kinds.js';
import { parseHostPorts } from './common-settings.js';
import { defineSettings, loadSettings, settingsUsage } from './settings.js';
import { renderSettingsTable } from './settings-table.js';

const spec = defineSettings('svc', 'a test service.', {
  workers: int({ env: 'KJOBS_WORKERS', min: 1, max: 8, default: 4, help: 'Workers.' }),
  grace: duration({ env: 'KJOBS_GRACE_SECONDS', unit: 's', default: 50, help: 'Grace.' }),
  tls: bool({ env: 'KJOBS_TLS', default: true, help: 'TLS.' }),
  mode: oneOf(['on', 'off', 'auto'], { env: 'KJOBS_MODE', default: 'auto', help: 'Mode.' }),
  redis: url({ env: 'REDIS_URL', protocols: ['redis:'], default: 'redis://127.0.0.1:6379', help: 'Redis.' }),
  nats: url({ env: 'NATS_URL', protocols: ['nats:'], list: true, help: 'NATS.' }),
  catalog: path({ env: 'KJOBS_CATALOG_FILE', mustExist: 'file', help: 'Catalog.' }),
  addr: listenAddress({ env: 'KJOBS_HTTP_ADDR', default: '127.0.0.1:0', help: 'Address.' }),
  range: cidr({ env: 'KJOBS_CLUSTER_CIDR', off: true, default: '10.244.0.0/16', help: 'Range.' }),
  password: secret({ env: 'NATS_PASSWORD', help: 'Password.' }),
  name: text({ env: 'NODE_NAME', defaultText: 'the host name', help: 'Name.' }),
  even: custom({ env: 'KJOBS_EVEN', type: 'even integer', parse: (t) => {
    if (Number(t) % 2 !== 0) throw new Error('is not even');
    return Number(t);
  }, help: 'Even.' }),
});

const load = (env: Record<string, string>, argv: string[] = [], readFile = (p: string): string => {
  throw Object.assign(new Error(`no ${p}`), { code: 'ENOENT' });
}) => loadSettings(spec, { env, argv, readFile });

describe('loadSettings', () => {
  it('gives the defaults when nothing is set (an empty variable is unset)', () => {
    expect(load({ KJOBS_WORKERS: '' })).toEqual({
      workers: 4, grace: 50_000, tls: true, mode: 'auto', redis: 'redis://127.0.0.1:6379', nats: undefined, catalog: undefined,
      addr: { host: '127.0.0.1', port: 0 }, range: '10.244.0.0/16', password: undefined, name: undefined, even: undefined,
    });
  });

  it('types a setting with a default as never undefined', () => {
    const v = load({});
    expectTypeOf(v.workers).toEqualTypeOf<number>();
    expectTypeOf(v.mode).toEqualTypeOf<'on' | 'off' | 'auto'>();
    expectTypeOf(v.range).toEqualTypeOf<string | false>();
    expectTypeOf(v.name).toEqualTypeOf<string | undefined>();
    expectTypeOf(v.even).toEqualTypeOf<number | undefined>();
  });

  it.each([
    [{ KJOBS_WORKERS: '8' }, { workers: 8 }],
    [{ KJOBS_GRACE_SECONDS: '1.5' }, { grace: 1500 }],
    [{ KJOBS_GRACE_SECONDS: '1m30s' }, { grace: 90_000 }],
    [{ KJOBS_GRACE_SECONDS: '250ms' }, { grace: 250 }],
    [{ KJOBS_TLS: 'FALSE' }, { tls: false }],
    [{ KJOBS_TLS: '0' }, { tls: false }],
    [{ KJOBS_MODE: 'on' }, { mode: 'on' }],
    [{ NATS_URL: 'nats://a:4222, 127.0.0.1:4223' }, { nats: 'nats://a:4222, 127.0.0.1:4223' }],
    [{ KJOBS_HTTP_ADDR: '[::1]:9000' }, { addr: { host: '::1', port: 9000 } }],
    [{ KJOBS_CLUSTER_CIDR: 'off' }, { range: false }],
    [{ KJOBS_CLUSTER_CIDR: 'fd00::/64' }, { range: 'fd00::/64' }],
    [{ NATS_PASSWORD: 'pw' }, { password: 'pw' }],
    [{ KJOBS_EVEN: '4' }, { even: 4 }],
  ])('reads %j', (env, want) => {
    expect(load(env)).toMatchObject(want);
  });

  it.each([
    [{ KJOBS_WORKERS: 'notanumber' }, 'KJOBS_WORKERS="notanumber" is not an integer from 1 to 8'],
    [{ KJOBS_WORKERS: '9' }, 'KJOBS_WORKERS="9" is not an integer from 1 to 8'],
    [{ KJOBS_WORKERS: '1e3' }, 'KJOBS_WORKERS="1e3" is not an integer from 1 to 8'],
    [{ KJOBS_GRACE_SECONDS: '10x' }, 'KJOBS_GRACE_SECONDS="10x" is not a duration (seconds, or e.g. 10s, 1m30s, 250ms)'],
    [{ KJOBS_GRACE_SECONDS: '-1' }, 'KJOBS_GRACE_SECONDS="-1" is not a duration (seconds, or e.g. 10s, 1m30s, 250ms)'],
    [{ KJOBS_TLS: 'yes' }, 'KJOBS_TLS="yes" is not a boolean (true, false, 1 or 0)'],
    [{ KJOBS_MODE: 'maybe' }, 'KJOBS_MODE="maybe" is not one of on, off, auto'],
    [{ REDIS_URL: 'localhost' }, 'REDIS_URL="localhost" is not a URL (e.g. redis://127.0.0.1)'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL="http://x" is not a redis URL'],
    [{ NATS_URL: 'nats://a:1,,' }, 'NATS_URL="nats://a:1,," is not a URL (e.g. nats://127.0.0.1)'],
    [{ KJOBS_CATALOG_FILE: '/nonexistent/catalog.yaml' }, 'KJOBS_CATALOG_FILE="/nonexistent/catalog.yaml" names a file that does not exist'],
    [{ KJOBS_CATALOG_FILE: os.tmpdir() }, `KJOBS_CATALOG_FILE=${JSON.stringify(os.tmpdir())} is not a file`],
    [{ KJOBS_HTTP_ADDR: '8080' }, 'KJOBS_HTTP_ADDR="8080" is not host:port (e.g. 127.0.0.1:0)'],
    [{ KJOBS_CLUSTER_CIDR: '10.0.0.0/33' }, 'KJOBS_CLUSTER_CIDR="10.0.0.0/33" is not a CIDR (e.g. 10.244.0.0/16) or off'],
    [{ KJOBS_EVEN: '3' }, 'KJOBS_EVEN="3" is not even'],
    [{ NATS_PASSWORD_FILE: '/run/none' }, 'NATS_PASSWORD_FILE="/run/none" cannot be read: ENOENT'],
    [{ NATS_PASSWORD: 'a', NATS_PASSWORD_FILE: '/run/pw' }, 'NATS_PASSWORD and NATS_PASSWORD_FILE are both set; set one'],
  ])('refuses %j with one line naming it', (env, message) => {
    expect(() => load(env)).toThrow(expect.objectContaining({ name: 'ConfigError', message }));
  });

  it('reads a secret from its file, trimmed, and never shows its value in an error', () => {
    expect(load({ NATS_PASSWORD_FILE: '/run/pw' }, [], () => 's3cret\n').password).toBe('s3cret');
    const pin = { ...secret({ env: 'PIN', help: 'Pin.' }), parse: (t: string) => {
      if (!/^\d+$/.test(t)) throw new Error('is not digits');
      return t;
    } };
    const s = defineSettings('svc', '.', { pin });
    expect(() => loadSettings(s, { env: { PIN: 'hunter2' }, argv: [] })).toThrow(/^PIN is not digits$/);
  });

  it('takes flags over variables: --name=value, --name value, bare booleans', () => {
    const dir = mkdtempSync(nodePath.join(os.tmpdir(), 'settings-'));
    writeFileSync(nodePath.join(dir, 'c.yaml'), '');
    const v = load({ KJOBS_WORKERS: '2', KJOBS_TLS: 'false' }, ['--workers=3', '--mode', 'off', '--tls', `--catalog-file=${dir}/c.yaml`]);
    expect(v).toMatchObject({ workers: 3, mode: 'off', tls: true, catalog: `${dir}/c.yaml` });
    expect(load({}, ['--tls', 'false']).tls).toBe(false);
  });

  it.each([
    [['--bogus=1'], 'unknown flag --bogus (see --help)'],
    [['extra'], 'unexpected argument "extra" (see --help)'],
    [['--workers'], '--workers needs a value (integer from 1 to 8)'],
    [['--workers=zero'], '--workers="zero" is not an integer from 1 to 8'],
    [['--nats-password=x'], 'unknown flag --nats-password (see --help)'],
  ])('refuses argv %j', (argv, message) => {
    expect(() => load({}, argv)).toThrow(message);
  });

  it('refuses a variable or flag declared twice', () => {
    const a = int({ env: 'KJOBS_A', help: 'A.' });
    expect(() => defineSettings('svc', '.', { a, b: int({ env: 'KJOBS_B', flag: 'a', help: 'B.' }) })).toThrow('svc: --a is declared twice');
    expect(() => defineSettings('svc', '.', { a, again: a })).toThrow('svc: KJOBS_A is declared twice');
  });
});

describe('settingsUsage', () => {
  it('lists every flag and variable with its type, meaning and default', () => {
    const usage = settingsUsage(spec);
    expect(usage.startsWith('svc: a test service.\n')).toBe(true);
    expect(usage).toContain('  --workers, KJOBS_WORKERS  <integer from 1 to 8>\n      Workers. (default 4)\n');
    expect(usage).toContain('  --grace-seconds, KJOBS_GRACE_SECONDS  <seconds (or 1m30s)>\n      Grace. (default 50)\n');
    expect(usage).toContain('  NATS_PASSWORD, NATS_PASSWORD_FILE  <secret>\n      Password.\n');
    expect(usage).toContain('      Name. (default the host name)\n');
    for (const s of Object.values(spec.settings)) expect(usage).toContain(s.env);
  });
});

describe('renderSettingsTable', () => {
  const shared = text({ env: 'LOG_LEVEL', default: 'info', help: 'Level.' });
  it('has one row per variable with every service that reads it', () => {
    const a = defineSettings('a', '.', { level: shared, n: int({ env: 'KJOBS_N', default: 1, help: 'N | M.' }) });
    const b = defineSettings('b', '.', { level: shared, pw: secret({ env: 'PW', help: 'Pw.' }) });
    expect(renderSettingsTable([a, b]).split('\n')).toEqual([
      '| Variable | Flag | Type | Default | Meaning | Services |',
      '|---|---|---|---|---|---|',
      '| `KJOBS_N` | `--n` | integer | `1` | N \\| M. | a |',
      '| `LOG_LEVEL` | `--log-level` | text | `info` | Level. | a, b |',
      '| `PW`, `PW_FILE` | — | secret | — | Pw. | b |',
      '',
    ]);
  });
  it('refuses one variable declared two ways', () => {
    const a = defineSettings('a', '.', { level: shared });
    const b = defineSettings('b', '.', { level: text({ env: 'LOG_LEVEL', default: 'debug', help: 'Level.' }) });
    expect(() => renderSettingsTable([a, b])).toThrow('LOG_LEVEL is declared differently by a and b; declare it once and share it');
  });
});

describe('parseHostPorts (KJOBS_REDIS_SENTINELS)', () => {
  it.each([
    ['10.0.0.5:26379', [{ host: '10.0.0.5', port: 26379 }]],
    [' a:1 , b.example:26379,[::1]:5 ', [{ host: 'a', port: 1 }, { host: 'b.example', port: 26379 }, { host: '::1', port: 5 }]],
  ])('%s', (t, want) => {
    expect(parseHostPorts(t)).toEqual(want);
  });
  it.each(['a', 'a:', ':1', 'a:0', 'a:70000', 'a:1,b'])('refuses %s', (t) => {
    expect(() => parseHostPorts(t)).toThrow(/is not host:port/);
  });
});
