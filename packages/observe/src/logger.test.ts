import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('createLogger', () => {
  it('names the service (and node) once on every line; child loggers add a component', () => {
    const log = createLogger('kubelet-agent', { node: 'node-1', level: 'debug' });
    const child = log.child({ component: 'runtime' });
    expect(log.bindings()).toMatchObject({ service: 'kubelet-agent', node: 'node-1' });
    expect(child.bindings()).toMatchObject({ service: 'kubelet-agent', node: 'node-1', component: 'runtime' });
    expect(Object.keys(log.bindings())).not.toContain('name');
    expect(log.level).toBe('debug');
  });

  it('defaults to info and carries fixed fields', () => {
    const log = createLogger('memq', { fields: { worker: 2 } });
    expect(log.level).toBe('info');
    expect(log.bindings()).toMatchObject({ service: 'memq', worker: 2 });
  });
});
