/**
 * A NATS watch subscriber for `npm run bench -- relay`, as a process of its own so its CPU is its
 * own: watches ConfigMaps (NatsClient, as every service's informers do) and, on a `report` line on
 * stdin, prints `{"events":…,"cpuMs":…}` (CPU since the watch was synced) and exits.
 * argv: NATS URL, subject prefix, token.
 */
import { createInterface } from 'node:readline';
import { connectBus } from '@kjobs/bus';
import { NatsClient } from '@kjobs/client';

const [url, prefix, token] = process.argv.slice(2);
const nc = await connectBus({ url });
const client = new NatsClient({ nc, prefix: prefix!, token: token! });
let events = 0;
client.watch('ConfigMap', { namespace: 'default', resourceVersion: '0' }, () => void events++);
// Synced when the list is in: a moment for it, then the measured part starts.
await new Promise((r) => setTimeout(r, 500));
const t0 = process.cpuUsage();
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== 'report') continue;
  const d = process.cpuUsage(t0);
  console.log(JSON.stringify({ events, cpuMs: (d.user + d.system) / 1000 }));
  process.exit(0);
}
