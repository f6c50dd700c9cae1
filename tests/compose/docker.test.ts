/**
 * The Dockerfile and docker-compose.yml on a real Docker Engine (Debian's docker.io and
 * docker-compose 1.29, which .ci/run installs): a private dockerd that changes nothing of the
 * host's network (`--iptables=false --ip-forward=false --bridge=none`, its own data root, exec
 * root and socket under a temp dir), the image built without Docker Hub (the base is
 * scripts/docker/base-image.sh: Debian bookworm and Node 24 from the npm registry), checked for dev
 * dependencies, then the compose file brought up and a Job run through it; then the HA layout
 * (docker-compose.ha.yml) in its place: a Job through HAProxy with kubectl, then an api-server,
 * the Redis primary and a NATS server killed, and a second Job and a writer carrying on.
 *
 * What differs from `docker compose up` elsewhere, because this machine has no Docker Hub and
 * must get no new host interface (see composeForThisMachine): every service shares one
 * loopback-only network namespace (a holder container with `network_mode: none`; the others
 * `network_mode: service:netns`), so service names resolve to 127.0.0.1 through the holder's
 * extra_hosts and published ports, `hostname` and the second replica of the scheduler and
 * job-controller (one port per namespace; the HA file gives each member ports of its own instead)
 * are dropped; nats, redis and the registry are Debian's
 * nats-server, redis-server and docker-registry in one local image instead of the pinned upstream
 * images (same commands and healthchecks; the registry with the upstream image's default config);
 * `cgroup: host` is dropped (docker-compose 1.29 does not know it; Docker 20.10 on cgroup v1
 * shares the host's cgroup namespace anyway); the agents' `privileged: true` becomes every
 * capability but CAP_SYS_RESOURCE, no seccomp filter and all devices, since this VM withholds
 * CAP_SYS_RESOURCE from root and runc cannot start a privileged container — so the agents run the
 * Job's pods with their process runtime on loopback addresses (KJOBS_RUNTIME=process,
 * KJOBS_POD_NETWORK=off), not as runc containers on the pod network.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Job } from '@kjobs/api';
import { ROOT } from '../../scripts/cluster.js';
import { run, waitFor } from '../e2e/harness.js';

/** Debian's client, the same API version as its dockerd (another `docker` may come first on PATH). */
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const INFRA_IMAGE = 'kjobs-infra:test';
const IMAGE = 'kjobs:test';
const BASE = 'kjobs-base:node24-bookworm';
const project = `kjobsdocker${process.pid}`;

interface Service {
  image?: string;
  build?: unknown;
  entrypoint?: string[];
  command?: string[];
  network_mode?: string;
  ports?: string[];
  hostname?: string;
  cgroup?: string;
  deploy?: { replicas?: number };
  extra_hosts?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  environment?: Record<string, string>;
  privileged?: boolean;
  cap_add?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  device_cgroup_rules?: string[];
}

/**
 * docker-compose.yml as this machine can run it (the header says why each change is needed); every
 * other key (commands, environment, volumes, users, privileges, healthchecks, depends_on) as written.
 */
export function composeForThisMachine(text: string): { services: Record<string, Service>; volumes?: unknown } {
  const file = parseYaml(text, { merge: true }) as { name?: string; services: Record<string, Service>; volumes?: unknown };
  delete file.name;
  const names = Object.keys(file.services);
  for (const s of Object.values(file.services)) {
    delete s.ports;
    delete s.hostname;
    delete s.cgroup;
    delete s.deploy;
    delete s.build;
    s.network_mode = 'service:netns';
    if (s.image === 'kjobs:dev') s.image = IMAGE;
    if (s.privileged) {
      // This VM withholds CAP_SYS_RESOURCE from root, so runc cannot start a privileged container
      // ("unable to apply caps"): every other capability, no seccomp filter, all devices instead.
      // Docker still masks parts of /proc there and mounts /proc/sys read-only, which keeps runc
      // from mounting a pod's /proc and the pod network from setting its sysctls: the agents run
      // pods with their process runtime on loopback addresses.
      delete s.privileged;
      s.cap_add = ['ALL'];
      s.cap_drop = ['SYS_RESOURCE'];
      s.security_opt = ['seccomp=unconfined'];
      s.device_cgroup_rules = ['a *:* rwm'];
      s.environment = { ...s.environment, KJOBS_RUNTIME: 'process', KJOBS_POD_NETWORK: 'off' };
    }
  }
  // The upstream images' programs from Debian's packages (the redis image's commands, redis-server
  // or the HA layout's sh script, run as they are).
  for (const s of Object.values(file.services)) {
    const upstream = s.image?.split(':')[0];
    if (upstream === 'nats') s.entrypoint = ['nats-server'];
    else if (upstream === 'registry') s.entrypoint = ['docker-registry', 'serve'];
    else if (upstream !== 'redis') continue;
    s.image = INFRA_IMAGE;
  }
  file.services.netns = {
    image: INFRA_IMAGE,
    entrypoint: ['sleep', 'infinity'],
    network_mode: 'none',
    extra_hosts: names.map((n) => `${n}:127.0.0.1`),
    healthcheck: { disable: true },
  };
  return file;
}

/** The host network's state this test must not change: ip_forward and the interfaces. */
const net = () => `${readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim()}\n${execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })}`;

describe('the image and docker-compose.yml on Docker', () => {
  let tmp: string;
  let dockerd: ChildProcess | undefined;
  let dockerdLog = '';
  let env: NodeJS.ProcessEnv;
  let composeFile: string;
  let netBefore: string;
  let composeUp = false;
  let haFile: string;
  let haUp = false;
  const haProject = `${project}ha`;
  const timings: Record<string, number> = {};

  const docker = (args: string[], timeoutMs = 120_000) => run(DOCKER, args, env, { timeoutMs });
  const compose = (args: string[], timeoutMs = 300_000) => run('docker-compose', ['-p', project, '-f', composeFile, '--project-directory', ROOT, ...args], env, { timeoutMs });
  const composeHa = (args: string[], timeoutMs = 300_000) => run('docker-compose', ['-p', haProject, '-f', haFile, '--project-directory', ROOT, ...args], env, { timeoutMs });
  async function must(what: string, r: Promise<{ code: number | null; stdout: string; stderr: string }>): Promise<string> {
    const t0 = Date.now();
    const res = await r;
    timings[what] = Date.now() - t0;
    if (res.code !== 0) throw new Error(`${what} failed (${res.code}):\n${res.stdout.slice(-3000)}\n${res.stderr.slice(-3000)}`);
    return res.stdout;
  }

  beforeAll(async () => {
    const missing = ['dockerd', 'docker-compose', 'debootstrap'].filter((b) => !process.env.PATH!.split(':').some((d) => existsSync(path.join(d, b))));
    if (missing.length) throw new Error(`no ${missing.join(', ')}: apt-get install docker.io docker-compose debootstrap (.ci/run does)`);
    netBefore = net();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'kjobs-docker-'));
    const sock = path.join(tmp, 'docker.sock');
    env = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_BUILDKIT: '0', COMPOSE_DOCKER_CLI_BUILD: '0' };
    // Our own engine: no bridge, no firewall rules, no ip_forward; state under tmp only.
    dockerd = spawn('dockerd', [
      '--iptables=false', '--ip-forward=false', '--bridge=none',
      `--data-root=${path.join(tmp, 'root')}`, `--exec-root=${path.join(tmp, 'exec')}`, `--pidfile=${path.join(tmp, 'dockerd.pid')}`,
      `--host=unix://${sock}`, `--containerd-namespace=${project}`, `--containerd-plugins-namespace=${project}-plugins`,
    ], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    dockerd.stdout!.on('data', (d) => (dockerdLog = (dockerdLog + d).slice(-20_000)));
    dockerd.stderr!.on('data', (d) => (dockerdLog = (dockerdLog + d).slice(-20_000)));
    await waitFor('dockerd answering', async () => dockerd!.exitCode === null && (await docker(['version'], 10_000)).code === 0, 60_000, 250).catch((e: Error) => {
      throw new Error(`dockerd did not start: ${e.message}\n${dockerdLog.slice(-3000)}`);
    });

    await must('base image', run('bash', [path.join(ROOT, 'scripts/docker/base-image.sh'), BASE], { ...env, DOCKER }, { timeoutMs: 360_000 }));
    // Locally added CAs (a TLS-inspecting proxy's) for npm inside the build.
    const caDir = '/usr/local/share/ca-certificates';
    const extraCa = existsSync(caDir) ? readdirSync(caDir, { recursive: true }).map(String).filter((f) => f.endsWith('.crt')).map((f) => readFileSync(path.join(caDir, f), 'utf8')).join('\n') : '';
    await must('image build', docker(['build', '--network', 'host', '--build-arg', `BASE_IMAGE=${BASE}`, '--build-arg', `EXTRA_CA_CERTS=${extraCa}`, '-t', IMAGE, ROOT], 420_000));
    // nats, redis and the registry without Docker Hub: Debian's packages on the same base.
    const infraContext = path.join(tmp, 'infra');
    mkdirSync(infraContext);
    // The registry with the upstream registry:2 image's default configuration (Debian's asks for htpasswd).
    writeFileSync(path.join(infraContext, 'registry.yml'), [
      'version: 0.1', 'log:', '  fields:', '    service: registry', 'storage:', '  cache:', '    blobdescriptor: inmemory',
      '  filesystem:', '    rootdirectory: /var/lib/registry', 'http:', '  addr: :5000', '  headers:', '    X-Content-Type-Options: [nosniff]',
      'health:', '  storagedriver:', '    enabled: true', '    interval: 10s', '    threshold: 3', '',
    ].join('\n'));
    writeFileSync(path.join(infraContext, 'Dockerfile'), [
      `FROM ${BASE}`,
      'RUN apt-get update && apt-get install -y --no-install-recommends redis-server nats-server docker-registry wget && rm -rf /var/lib/apt/lists/*',
      'COPY registry.yml /etc/docker/registry/config.yml', '',
    ].join('\n'));
    await must('infra image build', docker(['build', '--network', 'host', '-t', INFRA_IMAGE, infraContext], 300_000));
  }, 900_000);

  afterAll(async () => {
    // Safety net when a test failed midway; the last test checks the same on the way out.
    if (composeUp) await compose(['down', '-v', '--remove-orphans', '-t', '10'], 120_000).catch(() => undefined);
    if (haUp) await composeHa(['down', '-v', '--remove-orphans', '-t', '10'], 120_000).catch(() => undefined);
    if (dockerd && dockerd.exitCode === null) {
      const exited = new Promise((r) => dockerd!.once('exit', r));
      process.kill(-dockerd.pid!, 'SIGTERM');
      const t = setTimeout(() => process.kill(-dockerd!.pid!, 'SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
    }
    if (!tmp) return;
    for (const m of mountsUnder(tmp).reverse()) execFileSync('umount', ['-l', m]);
    rmSync(tmp, { recursive: true, force: true });
  }, 180_000);

  it('the runtime image: bundles and assets, no dev dependencies, user node, a healthcheck', async () => {
    const [config] = JSON.parse(await must('inspect', docker(['image', 'inspect', IMAGE]))) as { Size: number; Config: { User: string; Healthcheck?: { Test: string[] }; Cmd: string[] } }[];
    expect(config!.Config.User).toBe('node');
    expect(config!.Config.Healthcheck?.Test.join(' ')).toContain('KJOBS_HEALTHZ_URL');
    expect(config!.Config.Cmd).toEqual(['node', 'services/api-server/dist/main.mjs']);
    const sizeMb = config!.Size / 1e6;
    console.log(`image ${IMAGE}: ${sizeMb.toFixed(0)} MB (base ${BASE}); build ${timings['image build']} ms, base ${timings['base image']} ms`);
    // Base (~230 MB: Debian minbase and node) plus runc, the CNI plugins and the bundles; with
    // node_modules and tsx it was over 600 MB.
    expect(sizeMb).toBeLessThan(400);
    const listing = await must('listing', docker(['run', '--rm', '--network', 'none', '--entrypoint', 'sh', IMAGE, '-c',
      'find / -xdev \\( -name tsx -o -name vitest -o -name esbuild -o -name typescript -o -name "*.ts" -o -name node_modules \\) -not -path "/usr/local/lib/node_modules*" -print; echo ---; ls /app /app/services/*/dist; echo ---; id -un; for b in runc ip busybox; do command -v $b; done; ls /usr/lib/cni/bridge /usr/local/libexec/kjobs']));
    const [devFiles, appFiles, tools] = listing.split('---\n');
    // Nothing but the base image's own npm (/usr/local/lib/node_modules/npm, as in node:24-bookworm-slim).
    expect(devFiles!.trim().split('\n').filter(Boolean)).toEqual([]);
    for (const s of ['api-server', 'scheduler', 'job-controller', 'kubelet-agent', 'memq']) expect(appFiles).toMatch(new RegExp(`^/app/services/${s}/dist:\\n(.*\\n)*?main\\.mjs$`, 'm'));
    expect(tools).toMatch(/^node\n/);
    for (const t of [/\/runc$/m, /\/ip$/m, /\/busybox$/m, /^\/usr\/lib\/cni\/bridge$/m, /^kjobs-launcher$/m, /^kjobs-nsdial$/m]) expect(tools).toMatch(t);
  });

  it('docker-compose up: every service healthy, then a Job completes on the agents', async () => {
    composeFile = path.join(tmp, 'docker-compose.yml');
    // As JSON (valid YAML): docker-compose's YAML 1.1 would read a plain `yes` as a boolean.
    writeFileSync(composeFile, JSON.stringify(composeForThisMachine(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')), null, 2));
    // Credentials of our own, as the file's header asks users to set in .env.
    env = { ...env, REDIS_PASSWORD: `r${randomBytes(8).toString('hex')}`, ...Object.fromEntries(['API_SERVER', 'SCHEDULER', 'JOB_CONTROLLER', 'KUBELET_AGENT_1', 'KUBELET_AGENT_2'].map((u) => [`NATS_${u}_PASSWORD`, `n${randomBytes(8).toString('hex')}`])) };
    composeUp = true;
    await must('compose up', compose(['up', '-d', '--no-build'], 420_000)).catch(async (e: Error) => {
      throw new Error(`${e.message}\n${(await compose(['ps'])).stdout}\n${(await compose(['logs', '--tail', '30'])).stdout.slice(-8000)}`);
    });

    const ids = (await must('compose ps', compose(['ps', '-q']))).trim().split('\n').filter(Boolean);
    const state = async () => {
      const out = await must('inspect', docker(['inspect', '--format', '{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}', ...ids]));
      return out.trim().split('\n').map((l) => l.split(' ')) as [string, string, string, string][];
    };
    const report = async () => (await state()).map((s) => s.join(' ')).join('\n');
    await waitFor('every service healthy, the one-shots exited 0', async () => {
      const all = await state();
      return all.every(([name, status, code, health]) => (/_(init|registry-seed)_/.test(name) ? status === 'exited' && code === '0' : name.includes('_netns_') ? status === 'running' : health === 'healthy'));
    }, 240_000, 1000).catch(async (e: Error) => {
      throw new Error(`${e.message}\n${await report()}\n${(await compose(['logs', '--tail', '30'])).stdout.slice(-8000)}`);
    });
    const healthy = (await state()).filter(([, , , h]) => h === 'healthy').map(([n]) => n.replace(`/${project}_`, '').replace(/_1$/, '')).sort();
    expect(healthy).toEqual(['api-server', 'job-controller', 'kubelet-agent-1', 'kubelet-agent-2', 'memq', 'nats', 'redis', 'registry', 'scheduler']);

    const apiId = (await must('api id', compose(['ps', '-q', 'api-server']))).trim();
    const script = readFileSync(path.join(ROOT, 'tests/compose/in-container-job.mjs'), 'utf8');
    const r = await run(DOCKER, ['exec', '-i', apiId, 'node', '--input-type=module'], env, { input: script, timeoutMs: 200_000 });
    if (r.code !== 0) throw new Error(`the Job script failed: ${r.stderr}\n${(await compose(['logs', '--tail', '40'])).stdout.slice(-8000)}`);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { status: { succeeded?: number; conditions?: { type: string; status: string }[] }; pods: { phase: string; node: string }[]; dashboard: { status: number; bytes: number }; runtimes: string[] };
    expect(result.status.conditions?.find((c) => c.type === 'Complete')?.status, JSON.stringify(result)).toBe('True');
    expect(result.status.succeeded).toBe(2);
    expect(result.pods.map((p) => p.phase)).toEqual(['Succeeded', 'Succeeded']);
    // Which runtime the agents chose in their containers (oci: runc; process: the host-process runtime).
    console.log(`job ${JSON.stringify(result.status.conditions?.map((c) => c.type))} on ${JSON.stringify(result.pods)}; node runtimes ${JSON.stringify(result.runtimes)}`);
    expect(result.dashboard.status).toBe(200);
    expect(result.dashboard.bytes).toBeGreaterThan(10_000);
  }, 900_000);

  it('docker-compose.ha.yml: the HA layout comes up; a Job runs through HAProxy; with an api-server, the Redis primary and a NATS server killed a second Job completes and no acknowledged write is lost', async () => {
    const t0 = Date.now();
    // One layout at a time on these two cores.
    await must('compose down (single-node)', compose(['down', '-v', '--remove-orphans', '-t', '10'], 180_000));
    composeUp = false;
    haFile = path.join(tmp, 'docker-compose.ha.yml');
    writeFileSync(haFile, JSON.stringify(composeForThisMachine(readFileSync(path.join(ROOT, 'docker-compose.ha.yml'), 'utf8')), null, 2));
    haUp = true;
    await must('ha compose up', composeHa(['up', '-d', '--no-build'], 600_000)).catch(async (e: Error) => {
      throw new Error(`${e.message}\n${(await composeHa(['ps'])).stdout}\n${(await composeHa(['logs', '--tail', '30'])).stdout.slice(-8000)}`);
    });
    const idOf = async (service: string) => (await must(`id of ${service}`, composeHa(['ps', '-q', service]))).trim();
    const ids = (await must('ha compose ps', composeHa(['ps', '-q']))).trim().split('\n').filter(Boolean);
    const state = async () => {
      const out = await must('inspect', docker(['inspect', '--format', '{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}', ...ids]));
      return out.trim().split('\n').map((l) => l.split(' ')) as [string, string, string, string][];
    };
    await waitFor('every HA service healthy, the one-shots exited 0', async () => {
      const all = await state();
      return all.every(([name, status, code, health]) => (/_(init|registry-seed)_/.test(name) ? status === 'exited' && code === '0' : name.includes('_netns_') ? status === 'running' : health === 'healthy'));
    }, 300_000, 1000).catch(async (e: Error) => {
      throw new Error(`${e.message}\n${(await state()).map((x) => x.join(' ')).join('\n')}\n${(await composeHa(['logs', '--tail', '30'])).stdout.slice(-10_000)}`);
    });
    timings['ha up, all healthy'] = Date.now() - t0;
    const healthy = (await state()).filter(([, , , h]) => h === 'healthy').map(([n]) => n.replace(`/${haProject}_`, '').replace(/_1$/, '')).sort();
    expect(healthy).toEqual(['api-server-1', 'api-server-2', 'haproxy', 'job-controller-1', 'job-controller-2', 'kubelet-agent-1', 'kubelet-agent-2', 'memq',
      'nats-1', 'nats-2', 'nats-3', 'redis-1', 'redis-2', 'registry', 'scheduler-1', 'scheduler-2', 'sentinel-1', 'sentinel-2', 'sentinel-3']);

    // kubectl from this host, inside the layout's network namespace only (nsenter --net): the
    // kubeconfig the api-servers wrote names HAProxy.
    const holderPid = (await must('netns pid', docker(['inspect', '--format', '{{.State.Pid}}', await idOf('netns')]))).trim();
    const kubeconfig = path.join(tmp, 'kubeconfig-ha');
    await must('kubeconfig', docker(['cp', `${await idOf('api-server-1')}:/state/kubeconfig`, kubeconfig]));
    expect((JSON.parse(readFileSync(kubeconfig, 'utf8')) as { clusters: { cluster: { server: string } }[] }).clusters[0]!.cluster.server).toBe('https://127.0.0.1:6443');
    const kubectl = (args: string[], input?: string, timeoutMs = 60_000) =>
      run('nsenter', [`--net=/proc/${holderPid}/ns/net`, 'kubectl', '--kubeconfig', kubeconfig, '--request-timeout=20s', ...args], env, { input, timeoutMs });
    const job = (name: string) => JSON.stringify({
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
      spec: { completions: 4, parallelism: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo hello from the HA layout'] }] } } },
    });
    const runJob = async (name: string) => {
      const t = Date.now();
      // Retried as any client would on 503 (a write waiting for a Redis replica right after the
      // failover); AlreadyExists: an earlier try was applied.
      await waitFor(`${name} created`, async () => {
        const r = await kubectl(['create', '-f', '-'], job(name));
        if (r.code !== 0 && !r.stderr.includes('AlreadyExists')) throw new Error(r.stderr.trim());
        return true;
      }, 120_000, 500).catch(async (e: Error) => {
        throw new Error(`${e.message}\n${(await composeHa(['logs', '--tail', '25'])).stdout.slice(-10_000)}`);
      });
      await must(`${name} complete`, kubectl(['wait', '--for=condition=complete', `job/${name}`, '--timeout=240s'], undefined, 250_000)).catch(async (e: Error) => {
        throw new Error(`${e.message}\n${(await kubectl(['get', 'job,pods', '-o', 'wide'])).stdout}\n${(await composeHa(['logs', '--tail', '25'])).stdout.slice(-10_000)}`);
      });
      timings[name] = Date.now() - t;
      const status = JSON.parse(await must(`get ${name}`, kubectl(['get', `job/${name}`, '-o', 'json']))) as Job;
      expect([status.status?.succeeded, status.status?.failed ?? 0], name).toEqual([4, 0]);
    };
    await runJob('ha-before');

    // A writer through HAProxy, one ConfigMap after another; acknowledged = kubectl exited 0.
    const acknowledged: string[] = [];
    let failedWrites = 0;
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const r = await kubectl(['create', 'configmap', `ha-write-${i}`, `--from-literal=n=${i}`]);
        if (r.code === 0) acknowledged.push(`configmap/ha-write-${i}`);
        else failedWrites++;
      }
    })();
    let killedRedis = '';
    let promoted = '';
    let writesBefore = 0;
    try {
      await waitFor('writes acknowledged before the kills', () => acknowledged.length >= 3, 60_000, 100);

      // The Redis primary as the Sentinels name it, one api-server, one NATS server: SIGKILL each.
      const sentinel1 = await idOf('sentinel-1');
      const primary = async () => (await must('primary', docker(['exec', sentinel1, 'env', '-u', 'REDISCLI_AUTH', 'redis-cli', '-p', '26379', '--raw', 'SENTINEL', 'get-master-addr-by-name', 'kjobs']))).trim().split('\n')[0];
      killedRedis = (await primary())!;
      expect(['redis-1', 'redis-2']).toContain(killedRedis);
      const victims = await Promise.all(['api-server-1', killedRedis, 'nats-1'].map(idOf));
      writesBefore = acknowledged.length;
      const killedAt = Date.now();
      await must('docker kill', docker(['kill', ...victims]));
      // Docker treats `docker kill` as a stop by hand (no restart), so the test plays the supervisor
      // that brings the killed Redis back once the Sentinels name another primary; deploy/redis-ha.sh
      // then starts it as that one's replica, and writes (which wait for a replica) go on.
      promoted = await waitFor('the Sentinels promote the replica', async () => {
        const p = await primary();
        return p !== killedRedis ? p : undefined;
      }, 60_000, 200);
      timings['redis promoted after the kill'] = Date.now() - killedAt;
      await must(`start ${killedRedis}`, docker(['start', victims[1]!]));
      await runJob('ha-after');
      timings['ha-after complete after the kill'] = Date.now() - killedAt;
      await waitFor('writes acknowledged after the kills', () => acknowledged.length >= writesBefore + 3, 120_000, 100);
    } finally {
      writing = false;
      await writer;
    }
    const stored = new Set((await must('list configmaps', kubectl(['get', 'configmaps', '-o', 'name']))).trim().split('\n'));
    expect(acknowledged.filter((n) => !stored.has(n))).toEqual([]);
    const replicaOf = (await must('killed redis role', docker(['exec', await idOf(killedRedis), 'redis-cli', '-p', killedRedis === 'redis-1' ? '6379' : '6380', 'ROLE']))).trim().split('\n');
    expect(replicaOf.slice(0, 2)).toEqual(['slave', promoted]);
    console.log(`HA layout: ${acknowledged.length} writes acknowledged (${writesBefore} before the kills), ${failedWrites} failed, none lost; ${promoted} promoted; ms: ${JSON.stringify(Object.fromEntries(['ha up, all healthy', 'ha-before', 'redis promoted after the kill', 'ha-after', 'ha-after complete after the kill'].map((k) => [k, timings[k]])))}`);

    await must('ha compose down', composeHa(['down', '-v', '--remove-orphans', '-t', '10'], 180_000));
    haUp = false;
  }, 1_200_000);

  it('down -v and a stopped dockerd leave nothing behind: no process, mount or host interface', async () => {
    await must('compose down', compose(['down', '-v', '--remove-orphans', '-t', '10'], 180_000));
    composeUp = false;
    expect((await must('ps', docker(['ps', '-aq']))).trim()).toBe('');
    const exited = new Promise((r) => dockerd!.once('exit', r));
    process.kill(-dockerd!.pid!, 'SIGTERM');
    await waitFor('dockerd exited', () => dockerd!.exitCode !== null || dockerd!.signalCode !== null, 60_000, 200);
    await exited;
    // No process of that engine left (its containerd and shims carry our exec root or namespace).
    const ours = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        return cmd.includes(tmp) || cmd.includes(project);
      } catch {
        return false;
      }
    });
    expect(ours).toEqual([]);
    // dockerd leaves one mount when it stops: its bind of the host's network namespace.
    expect(mountsUnder(tmp)).toEqual([path.join(tmp, 'exec/netns/default')]);
    execFileSync('umount', [path.join(tmp, 'exec/netns/default')]);
    expect(mountsUnder(tmp)).toEqual([]);
    expect(net()).toBe(netBefore);
  }, 300_000);
});

/** Mount points at or below dir (from this process's mount table). */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m === dir || m.startsWith(`${dir}/`));
}
