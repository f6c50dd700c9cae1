import type { Request, Response } from 'express';
import { ApiError, isTableRequest, warningHeader } from '@kjobs/api';
import type { Identity } from '../auth.js';
import { boolParam } from '../request/params.js';
import { JsonList } from '../registry/json-list.js';
import { serveResource } from '../request/resource-request.js';
import { httpVerb } from '../request/verbs.js';
import type { AppDeps } from './app.js';
import { streamLog } from './logs.js';
import { decodeObjectBody, decodePatchBody, type DecodedBody } from './request-decoding.js';
import type { ResourceRoute } from './routes.js';
import { serveWatch } from './watch.js';

/**
 * The HTTP front end of the request path (request/resource-request.ts): the route and the method
 * become a ResourceRequest; the Outcome becomes JSON with `Warning` headers, a watch stream or a
 * log stream. Errors go to the error middleware (app.ts).
 */
export async function serveHttpResource(d: AppDeps, route: ResourceRoute, req: Request, res: Response): Promise<void> {
  const verb = httpVerb(req.method, route.name !== undefined, boolParam(req.query, 'watch'));
  res.locals.verb = verb;
  if (!verb) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const out = await serveResource(d.api, {
    identity: res.locals.identity as Identity, verb, res: route.res, namespace: route.namespace, name: route.name,
    subresource: route.subresource, query: req.query, contentType: req.headers['content-type'],
    body: () => requestBody(req, res, route), asTable: isTableRequest(req.headers.accept),
  });
  switch (out.type) {
    case 'object':
      for (const w of out.warnings) res.append('Warning', warningHeader(w));
      if (out.body instanceof JsonList) res.status(out.code).type('application/json').send(out.body.encode());
      else res.status(out.code).json(out.body);
      return;
    case 'watch':
      return serveWatch(d.api, d.hub, out.watch, res);
    case 'log':
      return streamLog(d.nodes, out.node, out.log, res);
  }
}

/**
 * The request body, decoded once per request by the rules of its verb (request-decoding.ts): a
 * patch for PATCH, else an object of the route's kind (its subresource's kind for binding and
 * eviction, DeleteOptions for DELETE); `required` for creates and updates.
 */
function requestBody(req: Request, res: Response, route: ResourceRoute): DecodedBody {
  const cached = res.locals.decodedBody as DecodedBody | undefined;
  if (cached) return cached;
  const buf = Buffer.isBuffer(req.body) ? (req.body as Buffer) : undefined;
  const sub = route.subresource;
  const kind = sub === 'binding' ? 'Binding' : sub === 'eviction' ? 'Eviction' : req.method === 'DELETE' ? 'DeleteOptions' : route.res.kind;
  const required = (req.method === 'POST' && !sub) || req.method === 'PUT';
  const decoded = req.method === 'PATCH' ? decodePatchBody(buf, req.headers['content-type']) : decodeObjectBody(buf, req.headers['content-type'], kind, required);
  res.locals.decodedBody = decoded;
  return decoded;
}
