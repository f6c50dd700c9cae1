import { describe, expect, it } from 'vitest';
import { findResource } from '@kjobs/api';
import type { Verb } from '../authz.js';
import { handlerFor } from './handlers.js';
import type { ResourceRequest } from './resource-request.js';
import { httpVerb, natsVerb } from './verbs.js';
import { thrownApiError } from '@kjobs/api/testing';

const PODS = findResource('', 'pods')!;

function request(verb: Verb, name?: string, subresource?: string, query: Record<string, string> = {}): ResourceRequest {
  return { identity: { user: 'admin', groups: ['system:masters'] }, verb, res: PODS, namespace: 'default', name, subresource, query, body: () => ({ value: undefined }) };
}


describe('the verb table', () => {
  it.each<[Verb, string | undefined, string | undefined]>([
    ['list', undefined, undefined], ['watch', undefined, undefined], ['create', undefined, undefined], ['deletecollection', undefined, undefined],
    ['get', 'p', undefined], ['watch', 'p', undefined], ['update', 'p', undefined], ['patch', 'p', undefined], ['delete', 'p', undefined],
    ['get', 'p', 'status'], ['update', 'p', 'status'], ['patch', 'p', 'status'],
    ['get', 'p', 'log'], ['create', 'p', 'binding'], ['create', 'p', 'eviction'],
  ])('serves %s on name %j, subresource %j', (verb, name, sub) => {
    expect(typeof handlerFor(request(verb, name, sub))).toBe('function');
  });

  it.each<[Verb, string | undefined]>([['update', undefined], ['patch', undefined], ['get', undefined], ['delete', undefined], ['create', 'p'], ['list', 'p']])(
    '%s with name %j is 405 MethodNotAllowed', (verb, name) => {
      expect([thrownApiError(() => handlerFor(request(verb, name))).code, thrownApiError(() => handlerFor(request(verb, name))).reason]).toEqual([405, 'MethodNotAllowed']);
    });

  it.each<[Verb, string]>([['create', 'log'], ['get', 'binding'], ['update', 'eviction'], ['get', 'exec'], ['create', 'portforward'], ['get', 'toString']])(
    '%s on subresource %s is 400', (verb, sub) => {
      expect(thrownApiError(() => handlerFor(request(verb, 'p', sub))).message).toBe(`subresource ${sub} is not supported for ${verb} here`);
    });

  it('checks a read\'s resourceVersion before choosing (400), a write\'s not at all', () => {
    expect(thrownApiError(() => handlerFor(request('get', 'p', 'log', { resourceVersion: 'x' }))).code).toBe(400);
    expect(typeof handlerFor(request('update', 'p', undefined, { resourceVersion: 'x' }))).toBe('function');
  });

  it.each([
    ['GET', false, false, 'list'], ['GET', true, false, 'get'], ['GET', false, true, 'watch'], ['GET', true, true, 'watch'],
    ['POST', false, false, 'create'], ['POST', true, false, 'create'], ['PUT', true, false, 'update'], ['PATCH', true, false, 'patch'],
    ['DELETE', true, false, 'delete'], ['DELETE', false, false, 'deletecollection'], ['HEAD', true, false, undefined], ['OPTIONS', false, false, undefined],
  ] as const)('HTTP %s (name: %s, watch: %s) is %s', (method, hasName, watch, verb) => {
    expect(httpVerb(method, hasName, watch)).toBe(verb);
  });

  it.each([
    ['get', 'get'], ['list', 'list'], ['create', 'create'], ['update', 'update'], ['patch', 'patch'], ['delete', 'delete'],
    ['deletecollection', 'deletecollection'], ['subresource', 'create'], ['changes', 'watch'], ['batch', undefined], ['toString', undefined],
  ])('NATS %s is %s', (nats, verb) => {
    expect(natsVerb(nats)).toBe(verb);
  });
});
