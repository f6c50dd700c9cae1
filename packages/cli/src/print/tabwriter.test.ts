import { describe, expect, it } from 'vitest';
import { DESCRIBE_TABWRITER, GET_TABWRITER, Tabwriter, alignTabs, cellWidth } from './tabwriter.js';

describe('alignTabs (Go text/tabwriter)', () => {
  it.each([
    {
      name: 'kubectl get: padding 3, last column unpadded',
      opts: GET_TABWRITER,
      input: 'NAME\tREADY\tSTATUS\tRESTARTS\tAGE\npi-ead6c\t0/1\tPending\t0\t0s\n',
      want: 'NAME       READY   STATUS    RESTARTS   AGE\npi-ead6c   0/1     Pending   0          0s\n',
    },
    {
      name: 'minwidth 6 includes the padding',
      opts: GET_TABWRITER,
      input: 'A\tB\nx\ty\n',
      want: 'A     B\nx     y\n',
    },
    {
      name: 'a line without tabs ends the column block',
      opts: DESCRIBE_TABWRITER,
      input: 'Name:\tpi\nNamespace:\tdefault\nPod Template:\n  Labels:\tx\n',
      want: 'Name:       pi\nNamespace:  default\nPod Template:\n  Labels:  x\n',
    },
    {
      name: 'an empty first cell aligns continuation lines',
      opts: DESCRIBE_TABWRITER,
      input: 'Labels:\ta=b\n\tc=d\nAnnotations:\t<none>\n',
      want: 'Labels:       a=b\n              c=d\nAnnotations:  <none>\n',
    },
    {
      name: 'nested blocks: deeper columns align only among lines that have them',
      opts: DESCRIBE_TABWRITER,
      input: 'a\tb\tc\naaaa\tb\nx\tyyyy\tz\n',
      want: 'a     b  c\naaaa  b\nx     yyyy  z\n',
    },
    {
      name: 'runes, not bytes, count',
      opts: GET_TABWRITER,
      input: 'ÄÖÜ\tx\nab\ty\n',
      want: 'ÄÖÜ   x\nab    y\n',
    },
    { name: 'no trailing newline kept as is', opts: GET_TABWRITER, input: 'a\tb', want: 'a     b' },
    { name: 'empty', opts: GET_TABWRITER, input: '', want: '' },
  ])('$name', ({ opts, input, want }) => {
    expect(alignTabs(input, opts)).toBe(want);
  });

  it('remembers widths across flushes (kubectl get -w rows stay under the header)', () => {
    const w = new Tabwriter(GET_TABWRITER);
    expect(w.format('NAME\tREADY\tSTATUS\tRESTARTS\tAGE\npi-ead6c\t0/1\tPending\t0\t0s\n'))
      .toBe('NAME       READY   STATUS    RESTARTS   AGE\npi-ead6c   0/1     Pending   0          0s\n');
    expect(w.format('pi-ead6c\t1/1\tRunning\t0\t1s\n')).toBe('pi-ead6c   1/1     Running   0          1s\n');
    expect(w.format('pi-ead6c\t0/1\tCompleted\t0\t3s\n')).toBe('pi-ead6c   0/1     Completed   0          3s\n');
    expect(w.format('pi-ead6c\t0/1\tError\t0\t4s\n')).toBe('pi-ead6c   0/1     Error       0          4s\n');
    w.resetWidths();
    expect(w.format('a\tb\n')).toBe('a     b\n');
  });

  it('lets a decorator restyle padded cells', () => {
    const out = new Tabwriter(GET_TABWRITER).format('A\tB\nx\ty\n', (line, cell, padded) => (line === 1 && cell === 0 ? `[${padded}]` : padded));
    expect(out).toBe('A     B\n[x     ]y\n');
  });

  it('counts width in code points', () => {
    expect(cellWidth('héllo')).toBe(5);
    expect(cellWidth('日本')).toBe(2);
  });
});
