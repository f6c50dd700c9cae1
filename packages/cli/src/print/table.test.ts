import { describe, expect, it } from 'vitest';
import { TablePrinter, formatCell, formatLabels, objectsAsTable, type TableColumn, type TableRow } from './table.js';

const POD_COLUMNS: TableColumn[] = [
  { name: 'Name', priority: 0 }, { name: 'Ready', priority: 0 }, { name: 'Status', priority: 0 }, { name: 'Restarts', priority: 0 },
  { name: 'Age', priority: 0 }, { name: 'IP', priority: 1 }, { name: 'Node', priority: 1 },
];
const row = (cells: unknown[], ns = 'default', labels: Record<string, string> = {}): TableRow => ({ cells, object: { metadata: { namespace: ns, labels } } });
const rows = [
  row(['parallel-55tlv', '1/1', 'Running', 0, '5s', '127.0.1.2', 'node-1'], 'default', { 'job-name': 'parallel', chapter: 'jobs' }),
  row(['queue-43s87', '1/1', 'Running', 2, '5m', '127.0.1.3', 'node-2'], 'work', {}),
];

describe('TablePrinter', () => {
  it.each([
    {
      name: 'default columns',
      opts: {},
      want: 'NAME             READY   STATUS    RESTARTS   AGE\n'
        + 'parallel-55tlv   1/1     Running   0          5s\n'
        + 'queue-43s87      1/1     Running   2          5m\n',
    },
    {
      name: '-o wide adds priority 1 columns',
      opts: { wide: true },
      want: 'NAME             READY   STATUS    RESTARTS   AGE   IP          NODE\n'
        + 'parallel-55tlv   1/1     Running   0          5s    127.0.1.2   node-1\n'
        + 'queue-43s87      1/1     Running   2          5m    127.0.1.3   node-2\n',
    },
    {
      name: '-A adds NAMESPACE from the row objects',
      opts: { withNamespace: true },
      want: 'NAMESPACE   NAME             READY   STATUS    RESTARTS   AGE\n'
        + 'default     parallel-55tlv   1/1     Running   0          5s\n'
        + 'work        queue-43s87      1/1     Running   2          5m\n',
    },
    {
      name: '--show-labels adds LABELS sorted',
      opts: { showLabels: true },
      want: 'NAME             READY   STATUS    RESTARTS   AGE   LABELS\n'
        + 'parallel-55tlv   1/1     Running   0          5s    chapter=jobs,job-name=parallel\n'
        + 'queue-43s87      1/1     Running   2          5m    <none>\n',
    },
    {
      name: 'several types: names prefixed with the type',
      opts: { kindPrefix: 'pod' },
      want: 'NAME                 READY   STATUS    RESTARTS   AGE\n'
        + 'pod/parallel-55tlv   1/1     Running   0          5s\n'
        + 'pod/queue-43s87      1/1     Running   2          5m\n',
    },
    {
      name: '--no-headers',
      opts: { noHeaders: true },
      want: 'parallel-55tlv   1/1   Running   0     5s\nqueue-43s87      1/1   Running   2     5m\n',
    },
  ])('$name', ({ opts, want }) => {
    expect(new TablePrinter(opts).print(POD_COLUMNS, rows)).toBe(want);
  });

  it('prints the header once and keeps the column widths for later rows', () => {
    const p = new TablePrinter();
    expect(p.print(POD_COLUMNS, [])).toBe('');
    expect(p.started).toBe(false);
    expect(p.print(POD_COLUMNS, [row(['pi-ead6c', '0/1', 'Pending', 0, '0s'])]))
      .toBe('NAME       READY   STATUS    RESTARTS   AGE\npi-ead6c   0/1     Pending   0          0s\n');
    expect(p.print(undefined, [row(['pi-ead6c', '0/1', 'Completed', 0, '3s'])])).toBe('pi-ead6c   0/1     Completed   0          3s\n');
  });

  it('colours only the STATUS cells of rows, keeping alignment', () => {
    const out = new TablePrinter({ color: true }).print(POD_COLUMNS, [row(['a', '0/1', 'Error', 0, '1s']), row(['b', '1/1', 'Running', 0, '1s'])]);
    expect(out).toBe('NAME   READY   STATUS    RESTARTS   AGE\n'
      + 'a      0/1     \x1b[31mError\x1b[0m     0          1s\n'
      + 'b      1/1     \x1b[33mRunning\x1b[0m   0          1s\n');
  });
});

describe('cells and labels', () => {
  it.each([
    ['x', 'x'], [3, '3'], [true, 'true'], [null, '<none>'], [undefined, '<none>'], ['a\tb\nc', 'a b c'], [{ a: 1 }, '{"a":1}'],
  ])('formatCell(%j) = %s', (cell, want) => {
    expect(formatCell(cell)).toBe(want);
  });
  it.each([
    [{ b: '2', a: '1' }, 'a=1,b=2'], [{}, '<none>'], [undefined, '<none>'],
  ])('formatLabels(%j) = %s', (l, want) => {
    expect(formatLabels(l)).toBe(want);
  });
  it('degrades a plain list to NAME and AGE', () => {
    const t = objectsAsTable([{ metadata: { name: 'node-1', creationTimestamp: '2026-11-27T18:59:00Z' } }], new Date('2026-11-27T19:00:00Z'));
    expect(new TablePrinter().print(t.columnDefinitions, t.rows ?? [])).toBe('NAME     AGE\nnode-1   60s\n');
  });
});
