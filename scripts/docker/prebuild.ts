/**
 * What the container image serves or spawns that a source checkout builds on first use with
 * esbuild (a dev dependency the runtime image does not have): the dashboard's browser script and
 * kuard as the OCI image's CommonJS `/kuard`. Run in the image's build stage, after
 * packages/kuard/scripts/build.mjs (kuard's own dist/kuard.mjs, which the kubelet-agent spawns).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildClientBundle, PREBUILT_CLIENT } from '../../services/api-server/src/dashboard/client-bundle.js';
import { bundleKuardForImage, KUARD_IMAGE_BUNDLE } from '../images.js';

mkdirSync(path.dirname(PREBUILT_CLIENT), { recursive: true });
writeFileSync(PREBUILT_CLIENT, (await buildClientBundle()).js);
mkdirSync(path.dirname(KUARD_IMAGE_BUNDLE), { recursive: true });
writeFileSync(KUARD_IMAGE_BUNDLE, bundleKuardForImage());
console.log(`prebuilt ${path.relative(process.cwd(), PREBUILT_CLIENT)} and ${path.relative(process.cwd(), KUARD_IMAGE_BUNDLE)}`);
