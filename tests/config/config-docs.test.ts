/**
 * docs/configuration.md's table is the services' declarations: this fails when someone adds,
 * changes or removes a setting without `npm run docs:config`.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CONFIGURATION_DOC, SERVICE_SETTINGS, withSettingsTable } from '../../scripts/config-docs.js';

it('docs/configuration.md has the table of every declared setting (npm run docs:config)', () => {
  const doc = readFileSync(CONFIGURATION_DOC, 'utf8');
  expect(doc).toBe(withSettingsTable(doc));
  for (const spec of SERVICE_SETTINGS) {
    for (const s of Object.values(spec.settings)) expect(doc).toContain(`| \`${s.env}\``);
  }
});
