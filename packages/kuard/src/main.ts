import { MemoryBroker } from '@kjobs/memq';
import { bindAddress } from './bind.js';
import { configDump } from './config-dump.js';
import { flagUsages, parseFlags } from './flags.js';
import { GoLogger } from './go-log.js';
import { KeyGenController } from './keygen-controller.js';
import { rsaKeyGenerator } from './keygen.js';
import { MemqClient } from './memq-client.js';
import { DebugProbe } from './probe.js';
import { createKuardServer } from './server.js';

/**
 * The kuard program (`cmd/kuard/main.go`): parse flags like pflag, print kuard's banner and
 * config, start the keygen workload, serve HTTP. A port already in use is logged and the
 * workload keeps running (the Job's work must not depend on the HTTP server).
 */
function main(): void {
  const argv = process.argv.slice(2);
  const stderr = (s: string): void => {
    process.stderr.write(s);
  };
  const parsed = parseFlags(argv, process.env);
  if (parsed.kind === 'help') {
    stderr(`Usage of /kuard:\n${flagUsages()}`);
    process.exit(0);
  }
  if (parsed.kind === 'error') {
    stderr(`${parsed.message}\nUsage of /kuard:\n${flagUsages()}`);
    process.exit(2);
  }
  const config = parsed.config;
  const log = new GoLogger(stderr);
  const version = process.env.KUARD_VERSION || 'v0.10.0-blue';

  log.print(`Starting kuard version: ${version}`);
  log.print('*'.repeat(70));
  log.print('* WARNING: This server may expose sensitive');
  log.print('* and secret information. Be careful.');
  log.print('*'.repeat(70));
  log.print(configDump(config));

  const env = { ...process.env };
  const keygen = new KeyGenController({
    log: (line) => log.print(line),
    generateKey: rsaKeyGenerator(config.keyBits),
    exit: (code) => process.exit(code),
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    dequeuer: (server, queue) => {
      const client = new MemqClient(server, env);
      const lease = config.memqLease || undefined;
      return {
        dequeue: () => client.dequeue(queue, lease),
        ...(lease ? { ack: (leaseId: string) => client.ack(queue, leaseId) } : {}),
      };
    },
  });
  const server = createKuardServer({
    broker: new MemoryBroker(),
    keygen,
    liveness: new DebugProbe(config.livenessFailNext),
    readiness: new DebugProbe(config.readinessFailNext),
    log: (line) => log.print(line),
    commandLine: ['/kuard', ...argv],
    env,
    version,
  });

  void keygen.load(config.keygen)?.catch((err: unknown) => log.print(`keygen: ${String(err)}`));

  log.print('Could not find certificates to serve TLS');
  log.print(`Serving on HTTP on ${config.address}`);
  const bind = bindAddress(config.address, process.env.POD_IP);
  const keepAlive = (): void => {
    // kuard without its server still never exits on its own (only the workload's exit does).
    setInterval(() => {}, 1 << 30);
  };
  if ('error' in bind) {
    log.print(bind.error);
    keepAlive();
    return;
  }
  server.on('error', (err: NodeJS.ErrnoException) => {
    const what = err.code === 'EADDRINUSE' ? 'bind: address already in use' : err.code === 'EADDRNOTAVAIL' ? 'bind: cannot assign requested address' : err.message;
    log.print(`listen tcp ${config.address}: ${what}`);
    keepAlive();
  });
  server.listen(bind.port, bind.host);
}

main();
