/**
 * docker compose `init` service: create the static token file ($KJOBS_HOME/tokens.csv) and one
 * token file per service ($KJOBS_HOME/tokens/<service>) on first start; later starts keep them.
 */
import { chmodSync, chownSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureTokens } from './cluster/services.js';

const home = process.env.KJOBS_HOME ?? '/state';
const nodes = (process.env.KJOBS_NODES ?? 'kubelet-agent-1,kubelet-agent-2').split(',').filter(Boolean);
const tokens = ensureTokens(home, nodes);
const dir = path.join(home, 'tokens');
mkdirSync(dir, { recursive: true, mode: 0o700 });
const files: Record<string, string> = {
  scheduler: tokens.get('system:kube-scheduler')!,
  'job-controller': tokens.get('system:kube-controller-manager')!,
  memq: tokens.get('system:memq')!,
  ...Object.fromEntries(nodes.map((n) => [n, tokens.get(`system:node:${n}`)!])),
};
for (const [name, token] of Object.entries(files)) writeFileSync(path.join(dir, name), `${token}\n`, { mode: 0o600 });
// The services run as the image's `node` user (uid 1000): hand it the state volume.
for (const f of ['tokens.csv', ...Object.keys(files).map((n) => `tokens/${n}`)]) chmodSync(path.join(home, f), 0o600);
const chownTree = (p: string) => {
  chownSync(p, 1000, 1000);
  for (const e of readdirSync(p, { withFileTypes: true })) {
    if (e.isDirectory()) chownTree(path.join(p, e.name));
    else chownSync(path.join(p, e.name), 1000, 1000);
  }
};
if (process.getuid?.() === 0) chownTree(home);
console.log(`kjobs init: tokens ready in ${home}`);
