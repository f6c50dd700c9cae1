import { describe, expect, it } from 'vitest';
import { defaultConfig, FLAGS, flagUsages, parseFlags, type KuardConfig } from './flags.js';

function ok(argv: string[], env: Record<string, string> = {}): KuardConfig {
  const r = parseFlags(argv, env);
  if (r.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(r)}`);
  return r.config;
}

describe('kuard flag defaults (pkg/app/config.go, pkg/keygen/config.go, pkg/debugprobe)', () => {
  it.each([
    ['address', ':8080'],
    ['debug', false],
    ['debug-sitedata-dir', './sitedata'],
    ['keygen-enable', false],
    ['keygen-exit-code', 0],
    ['keygen-exit-on-complete', false],
    ['keygen-key-bits', 4096],
    ['keygen-memq-lease', ''],
    ['keygen-memq-queue', ''],
    ['keygen-memq-server', ''],
    ['keygen-num-to-gen', 0],
    ['keygen-time-to-run', 0],
    ['liveness-fail-next', 0],
    ['readiness-fail-next', 0],
    ['tls-address', ':8443'],
    ['tls-dir', '/tls'],
  ])('--%s defaults to %j', (name, def) => {
    const f = FLAGS.find((x) => x.name === name);
    expect(f?.def).toBe(def);
  });

  it('no arguments give the default config', () => {
    expect(ok([])).toEqual(defaultConfig());
    expect(defaultConfig().keygen).toEqual({ enable: false, numToGen: 0, timeToRun: 0, memQServer: '', memQQueue: '', exitOnComplete: false, exitCode: 0 });
  });
});

describe('pflag-style parsing', () => {
  it('parses the chapter oneshot job args', () => {
    const c = ok(['--keygen-enable', '--keygen-exit-on-complete', '--keygen-exit-code=1', '--keygen-num-to-gen=3']);
    expect(c.keygen).toMatchObject({ enable: true, exitOnComplete: true, exitCode: 1, numToGen: 3 });
  });

  it('parses the chapter consumer job args', () => {
    const c = ok(['--keygen-enable', '--keygen-exit-on-complete', '--keygen-memq-server=http://queue:8080/memq/server', '--keygen-memq-queue=keygen']);
    expect(c.keygen).toMatchObject({ memQServer: 'http://queue:8080/memq/server', memQQueue: 'keygen' });
  });

  it.each([
    [['--keygen-num-to-gen', '10'], (c: KuardConfig) => c.keygen.numToGen, 10],
    [['--keygen-num-to-gen=0x10'], (c: KuardConfig) => c.keygen.numToGen, 16],
    [['--keygen-num-to-gen=010'], (c: KuardConfig) => c.keygen.numToGen, 8],
    [['--keygen-exit-code=-3'], (c: KuardConfig) => c.keygen.exitCode, -3],
    [['--liveness-fail-next', '-1'], (c: KuardConfig) => c.livenessFailNext, -1],
    [['--address', '127.0.0.1:9000'], (c: KuardConfig) => c.address, '127.0.0.1:9000'],
    [['--address='], (c: KuardConfig) => c.address, ''],
    [['--keygen-enable=false'], (c: KuardConfig) => c.keygen.enable, false],
    [['--keygen-enable=T'], (c: KuardConfig) => c.keygen.enable, true],
    [['--keygen-enable', 'false'], (c: KuardConfig) => c.keygen.enable, true],
    [['--debug', '--tls-address', ':1'], (c: KuardConfig) => c.tlsAddress, ':1'],
    [['--', '--keygen-enable'], (c: KuardConfig) => c.keygen.enable, false],
    [['positional', '--keygen-time-to-run', '4'], (c: KuardConfig) => c.keygen.timeToRun, 4],
    [['--keygen-key-bits=1024'], (c: KuardConfig) => c.keyBits, 1024],
    [['--keygen-memq-lease', '5m'], (c: KuardConfig) => c.memqLease, '5m'],
  ])('%j', (argv, pick, want) => {
    expect(pick(ok(argv))).toBe(want);
  });

  it('takes the key size from KUARD_KEYGEN_BITS unless the flag is given', () => {
    expect(ok([], { KUARD_KEYGEN_BITS: '512' }).keyBits).toBe(512);
    expect(ok(['--keygen-key-bits', '768'], { KUARD_KEYGEN_BITS: '512' }).keyBits).toBe(768);
  });

  it.each([
    [['--nope'], 'unknown flag: --nope'],
    [['-x'], "unknown shorthand flag: 'x' in -x"],
    [['--address'], 'flag needs an argument: --address'],
    [['--keygen-num-to-gen=ten'], 'invalid argument "ten" for "--keygen-num-to-gen" flag: strconv.ParseInt: parsing "ten": invalid syntax'],
    [['--keygen-enable=yes'], 'invalid argument "yes" for "--keygen-enable" flag: strconv.ParseBool: parsing "yes": invalid syntax'],
    [['--keygen-exit-code=99999999999999999999'], 'invalid argument "99999999999999999999" for "--keygen-exit-code" flag: strconv.ParseInt: parsing "99999999999999999999": value out of range'],
    [['---x'], 'bad flag syntax: ---x'],
    [['--keygen-memq-lease=soon'], 'invalid argument "soon" for "--keygen-memq-lease" flag: time: invalid duration "soon"'],
  ])('%j → %s', (argv, message) => {
    expect(parseFlags(argv)).toEqual({ kind: 'error', message });
  });

  it('recognizes --help and -h', () => {
    expect(parseFlags(['--help'])).toEqual({ kind: 'help' });
    expect(parseFlags(['-h'])).toEqual({ kind: 'help' });
  });

  it('prints pflag-style usage lines', () => {
    const u = flagUsages();
    expect(u.split('\n')[0]).toBe('      --address string              The address to serve on (default ":8080")');
    expect(u).toContain('\n      --keygen-enable               Enable KeyGen workload\n');
    expect(u).toContain('\n      --keygen-key-bits int         kjobs: RSA key size in bits (env KUARD_KEYGEN_BITS) (default 4096)\n');
    expect(u).toContain('\n      --tls-dir string              Directory to look to find TLS certs (default "/tls")\n');
  });
});
