import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../testing/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe('the dashboard inside a real api-server', () => {
  it('the shell loads without a token, the API and the dashboard data still need one', async () => {
    const url = h.server.url;
    const shell = await fetch(`${url}/dashboard/`);
    expect(shell.status).toBe(200);
    expect(await shell.text()).toContain('<title>kjobs dashboard</title>');
    expect((await fetch(`${url}/dashboard/app.js`)).status).toBe(200);
    for (const path of ['/dashboard/api/session', '/dashboard/api/memq', '/api/v1/pods', '/apis/batch/v1/jobs?watch=1', '/version', '/metrics']) {
      expect([path, (await fetch(url + path)).status]).toEqual([path, 401]);
    }
    const auth = { headers: { Authorization: `Bearer ${h.token}` } };
    expect(await (await fetch(`${url}/dashboard/api/session`, auth)).json()).toEqual({ user: 'admin', groups: ['system:masters'], memq: false });
    expect((await fetch(`${url}/api/v1/pods`, auth)).status).toBe(200);
  });
});
