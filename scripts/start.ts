/**
 * `npm start`: the whole kjobs cluster on this machine as processes — api-server
 * (https://127.0.0.1:6443), scheduler, job-controller, two kubelet-agents, memq (127.0.0.1:8080).
 * Uses Redis and NATS at REDIS_URL / NATS_URL (default loopback) or starts them from PATH; keeps
 * state, logs and the kubeconfig in $KJOBS_HOME (default ./.kjobs). A service that dies is
 * restarted. Ctrl-C stops everything.
 */
import path from 'node:path';
import { ensureInfra } from './infra.js';
import { startCluster, spawnService } from './cluster.js';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`usage: npm start

Starts kjobs on this machine: api-server (https://127.0.0.1:6443), scheduler, job-controller,
two kubelet-agents (node-1, node-2) and memq (http://127.0.0.1:8080).

Environment:
  KJOBS_HOME   state dir: kubeconfig, tokens, TLS, logs, pod dirs (default ./.kjobs)
  REDIS_URL    Redis to use (default redis://127.0.0.1:6379; started from PATH if nothing listens)
  NATS_URL     NATS to use (default nats://127.0.0.1:4222; started from PATH if nothing listens)
  KJOBS_NODES  number of kubelet-agents (default 2)`);
  process.exit(0);
}

const home = path.resolve(process.env.KJOBS_HOME ?? '.kjobs');
let infra;
try {
  infra = await ensureInfra(home);
} catch (e) {
  console.error(`kjobs: ${(e as Error).message}`);
  process.exit(1);
}
const cluster = await startCluster({ home, redisUrl: infra.redisUrl, natsUrl: infra.natsUrl, nodes: Number(process.env.KJOBS_NODES ?? 2) });

let stopping = false;
for (const [name, proc] of cluster.procs) watch(name, proc);
function watch(name: string, proc: import('node:child_process').ChildProcess) {
  proc.once('exit', (code, sig) => {
    if (stopping) return;
    console.error(`kjobs: ${name} exited (${sig ?? code}); restarting — see ${path.join(home, 'logs', `${name}.log`)}`);
    setTimeout(() => {
      if (stopping) return;
      const spec = cluster.specs.find((s) => s.name === name)!;
      const p = spawnService(spec, home);
      cluster.procs.set(name, p);
      watch(name, p);
    }, 1000);
  });
}

const kubeconfig = path.join(home, 'kubeconfig');
console.log(`kjobs is running.

  export KUBECONFIG=${kubeconfig}
  kubectl get nodes
  kubectl apply -f ../shared/examples/chapter-12/job-oneshot.yaml
  npx kjobs get jobs -w

api-server  https://127.0.0.1:6443   dashboard  https://127.0.0.1:6443/dashboard (sign in with the kubeconfig's token)
memq        http://127.0.0.1:8080    logs       ${path.join(home, 'logs')}
Press Ctrl-C to stop.`);

async function shutdown() {
  if (stopping) return;
  stopping = true;
  console.log('\nkjobs: stopping…');
  await cluster.stop();
  await infra!.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
