import { describe, expect, it } from 'vitest';
import { ApiError } from '@kjobs/api';
import { CliError, exitCodeOf, formatError, unreachableMessage } from './errors.js';
import { errorFromResponse, networkError } from './rest.js';

describe('formatError (kubectl wording)', () => {
  it.each([
    { name: 'NotFound', e: new ApiError(404, 'NotFound', 'jobs.batch "nope" not found', { name: 'nope', group: 'batch', kind: 'jobs' }), ctx: undefined, want: 'Error from server (NotFound): jobs.batch "nope" not found' },
    { name: 'AlreadyExists with the file context', e: new ApiError(409, 'AlreadyExists', 'cronjobs.batch "hello" already exists'), ctx: 'error when creating "m/cronjob.yaml"', want: 'Error from server (AlreadyExists): error when creating "m/cronjob.yaml": cronjobs.batch "hello" already exists' },
    {
      name: 'Invalid, one cause', ctx: 'error when creating "x.yaml"',
      e: new ApiError(422, 'Invalid', 'Job.batch "invalid" is invalid: ...', { name: 'invalid', group: 'batch', kind: 'Job', causes: [{ reason: 'FieldValueRequired', message: 'Required value: valid values: "OnFailure", "Never"', field: 'spec.template.spec.restartPolicy' }] }),
      want: 'The Job "invalid" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    },
    {
      name: 'Invalid, several causes', ctx: undefined,
      e: new ApiError(422, 'Invalid', 'x', { name: 'j', kind: 'Job', causes: [{ field: 'a', message: 'm1' }, { field: 'b', message: 'm2' }] }),
      want: 'The Job "j" is invalid: \n* a: m1\n* b: m2',
    },
    { name: 'Unauthorized', e: new ApiError(401, 'Unauthorized', 'Unauthorized'), ctx: undefined, want: 'error: You must be logged in to the server (Unauthorized)' },
    { name: 'no reason', e: new ApiError(500, '', 'boom'), ctx: undefined, want: 'Error from server: boom' },
    { name: 'CLI error', e: new CliError('the server doesn\'t have a resource type "foo"'), ctx: undefined, want: 'error: the server doesn\'t have a resource type "foo"' },
    { name: 'plain error', e: new Error('socket hang up'), ctx: undefined, want: 'error: socket hang up' },
  ])('$name', ({ e, ctx, want }) => {
    expect(formatError(e, ctx)).toBe(want);
  });
  it('exit codes', () => {
    expect(exitCodeOf(new CliError('x', 3))).toBe(3);
    expect(exitCodeOf(new Error('x'))).toBe(1);
  });
});

describe('errorFromResponse', () => {
  it.each([
    { status: 404, text: JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'pods "x" not found', reason: 'NotFound', code: 404 }), want: { code: 404, reason: 'NotFound', message: 'pods "x" not found' } },
    { status: 404, text: '404 page not found', want: { code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' } },
    { status: 500, text: 'internal boom', want: { code: 500, reason: 'InternalError', message: 'an error on the server ("internal boom") has prevented the request from succeeding' } },
    { status: 503, text: '', want: { code: 503, reason: 'ServiceUnavailable', message: 'the server is currently unable to handle the request' } },
  ])('$status $text', ({ status, text, want }) => {
    expect(errorFromResponse(status, text)).toMatchObject(want);
  });
});

describe('networkError', () => {
  it.each([
    { code: 'ECONNREFUSED', want: unreachableMessage('https://127.0.0.1:6443') },
    { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', want: /--insecure-skip-tls-verify/ },
    { code: 'ENOTFOUND', want: /cannot resolve/ },
  ])('$code', ({ code, want }) => {
    const e = networkError(Object.assign(new Error('x'), { code }), 'https://127.0.0.1:6443');
    expect(e).toBeInstanceOf(CliError);
    expect(e.message).toMatch(want);
  });
  it('the hint names the server and how to start the cluster', () => {
    expect(unreachableMessage('https://127.0.0.1:6443')).toBe('cannot reach the kjobs api-server at https://127.0.0.1:6443: start the cluster with `npm start` (or `docker compose up`)');
  });
});
