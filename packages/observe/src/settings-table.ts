import type { Setting } from './setting-kinds.js';
import type { ServiceSettings } from './settings.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * The Markdown table of docs/configuration.md: one row per variable (sorted), with the services
 * that read it. A variable two services declare differently is an error: shared settings are
 * declared once (common-settings.ts) so the table cannot say two things about one name.
 */
export function renderSettingsTable(specs: readonly ServiceSettings<Record<string, Setting<unknown>>>[]): string {
  const rows = new Map<string, { s: Setting<unknown>; services: string[] }>();
  for (const spec of specs) {
    for (const s of Object.values(spec.settings)) {
      const row = rows.get(s.env);
      if (!row) {
        rows.set(s.env, { s, services: [spec.service] });
        continue;
      }
      const same = row.s.help === s.help && row.s.type === s.type && row.s.defaultText === s.defaultText && row.s.flag === s.flag;
      if (!same) throw new Error(`${s.env} is declared differently by ${row.services.join(', ')} and ${spec.service}; declare it once and share it`);
      row.services.push(spec.service);
    }
  }
  const out = ['| Variable | Flag | Type | Default | Meaning | Services |', '|---|---|---|---|---|---|'];
  for (const [env, { s, services }] of [...rows].sort(([a], [b]) => a.localeCompare(b))) {
    const name = s.secret ? `\`${env}\`, \`${env}_FILE\`` : `\`${env}\``;
    const flag = s.flag ? `\`--${s.flag}\`` : '—';
    const def = !s.defaultText ? '—' : s.default !== undefined ? `\`${cell(s.defaultText)}\`` : cell(s.defaultText);
    out.push(`| ${name} | ${flag} | ${cell(s.type)} | ${def} | ${cell(s.help)} | ${services.join(', ')} |`);
  }
  return `${out.join('\n')}\n`;
}
