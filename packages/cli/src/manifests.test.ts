import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseManifests, readManifests } from './manifests.js';

describe('parseManifests', () => {
  it.each([
    { name: 'one document', text: 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: a}\n', names: ['a'] },
    { name: 'several documents, empty ones skipped', text: '---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n---\n# only a comment\n---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: b}\n', names: ['a', 'b'] },
    { name: 'JSON', text: '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}', names: ['p'] },
    { name: 'a List is flattened', text: 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: x}}\n- {apiVersion: v1, kind: Pod, metadata: {name: y}}\n', names: ['x', 'y'] },
    { name: 'comments and quoted schedules survive', text: 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  # Run every fifth hour\n  schedule: "0 */5 * * *"\n', names: ['c'] },
  ])('$name', ({ text, names }) => {
    expect(parseManifests(text, 'f.yaml').map((m) => m.object.metadata.name)).toEqual(names);
  });
  it.each([
    ['kind: Job\nmetadata: {name: a}\n', /apiVersion not set/],
    ['- a\n- b\n', /must be an object/],
    ['a: [unclosed\n', /error parsing f.yaml/],
  ])('rejects %j', (text, msg) => {
    expect(() => parseManifests(text, 'f.yaml')).toThrow(msg);
  });
  it('keeps the schedule as a string and the source name', () => {
    const [m] = parseManifests('apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {schedule: "0 */5 * * *"}\n', 'dir/c.yaml');
    expect((m!.object.spec as { schedule: string }).schedule).toBe('0 */5 * * *');
    expect(m!.source).toBe('dir/c.yaml');
  });
});

describe('readManifests', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kjobs-cli-manifests-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'b.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: b}\n');
  writeFileSync(path.join(dir, 'a.yml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n');
  writeFileSync(path.join(dir, 'notes.txt'), 'not a manifest');
  mkdirSync(path.join(dir, 'sub'));
  writeFileSync(path.join(dir, 'sub', 'c.json'), '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"c"}}');

  it.each([
    { name: 'a directory: its manifests in name order', files: ['.'], recursive: false, names: ['a', 'b'] },
    { name: '-R descends into subdirectories', files: ['.'], recursive: true, names: ['a', 'b', 'c'] },
    { name: 'files and stdin in argument order', files: ['b.yaml', '-'], recursive: false, names: ['b', 's'] },
  ])('$name', async ({ files, recursive, names }) => {
    const ms = await readManifests(files, dir, async () => 'apiVersion: v1\nkind: Pod\nmetadata: {name: s}\n', recursive);
    expect(ms.map((m) => m.object.metadata.name)).toEqual(names);
  });
  it('a missing path says so', async () => {
    await expect(readManifests(['nope.yaml'], dir, async () => '')).rejects.toThrow('the path "nope.yaml" does not exist');
  });
});
