/**
 * docker compose `registry-seed` service: build kjobs' images (kuard, busybox) into the state
 * volume, write `$KJOBS_HOME/registries.yaml` for the kubelet-agents, then push the images to the
 * compose `registry` service ($KJOBS_REGISTRY_URL). The agents' mirrors are the image layout
 * (`file://`): a plain-HTTP registry on another host is refused by @kjobs/oci's mirror rules (only
 * loopback may be plain HTTP), so the registry serves everyone else (skopeo, other clusters).
 * Exits 0 even when the push fails: the agents do not depend on it.
 */
import path from 'node:path';
import { defaultCacheDir } from '@kjobs/oci';
import { buildLocalImages } from './images.js';
import { isRegistryUp, seedRegistry, writeRegistriesFile } from './registry.js';

const home = process.env.KJOBS_HOME ?? '/state';
const url = process.env.KJOBS_REGISTRY_URL ?? 'http://registry:5000';
const log = (line: string) => console.log(`kjobs registry-seed: ${line}`);

const layout = buildLocalImages({ cacheDir: defaultCacheDir(process.env), log });
log(`${layout.cached ? 'cached' : 'built'} ${layout.images.join(', ')} in ${layout.dir} (${layout.elapsedMs} ms)`);
log(`mirrors for the kubelet-agents: ${writeRegistriesFile(home, `file://${path.resolve(layout.dir)}`)}`);

const end = Date.now() + 60_000;
while (!(await isRegistryUp(url)) && Date.now() < end) await new Promise((r) => setTimeout(r, 500));
const result = await seedRegistry(url, layout.dir);
log(`pushed ${result.pushed.length} tags to ${url} in ${result.elapsedMs} ms${result.errors.length ? `; failed: ${result.errors.join('; ')}` : ''}`);
