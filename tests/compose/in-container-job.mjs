// Piped to `node --input-type=module` inside the api-server container by docker.test.ts: with the
// kubeconfig the api-server wrote to the state volume, create a two-pod Job and wait for it to
// finish, then fetch the dashboard's script. Prints one JSON line: the Job's status, its pods' phases
// and nodes, and the dashboard script's HTTP status and size.
import { readFileSync } from 'node:fs';
import https from 'node:https';

const kc = JSON.parse(readFileSync('/state/kubeconfig', 'utf8'));
const server = new URL(kc.clusters[0].cluster.server);
const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64');
const token = kc.users[0].user.token;
const name = process.env.JOB_NAME ?? 'docker-hello';

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: server.hostname, port: server.port, path, method, ca, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, timeout: 10_000 }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const jobs = '/apis/batch/v1/namespaces/default/jobs';
const created = await call('POST', jobs, {
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
  spec: { completions: 2, parallelism: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo hello from docker'] }] } } },
});
if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
const end = Date.now() + 150_000;
let job;
for (;;) {
  job = (await call('GET', `${jobs}/${name}`)).body;
  const done = job.status?.conditions?.find((c) => ['Complete', 'Failed'].includes(c.type) && c.status === 'True');
  if (done || Date.now() > end) break;
  await new Promise((r) => setTimeout(r, 500));
}
const pods = (await call('GET', `/api/v1/namespaces/default/pods?labelSelector=job-name%3D${name}`)).body.items;
// The dashboard's script, which the image serves prebuilt (it has no esbuild).
const dashboard = await new Promise((resolve, reject) => {
  https.get({ host: server.hostname, port: server.port, path: '/dashboard/app.js', ca }, (res) => {
    let bytes = 0;
    res.on('data', (d) => (bytes += d.length));
    res.on('end', () => resolve({ status: res.statusCode, bytes }));
  }).on('error', reject);
});
const nodes = (await call('GET', '/api/v1/nodes')).body.items;
console.log(JSON.stringify({ status: job.status, pods: pods.map((p) => ({ phase: p.status?.phase, node: p.spec?.nodeName })), dashboard, runtimes: nodes.map((n) => n.status?.nodeInfo?.containerRuntimeVersion) }));
