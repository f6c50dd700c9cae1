/**
 * Probe validation (`validateProbe`, `validateHandler` and the liveness/readiness/startup wrappers
 * of core validation): exactly one handler, non-negative timings, successThreshold 1 where required.
 */
import { forbidden, index, invalid, notSupported, required, validateNonnegative, type FieldCause } from './field-errors.js';
import { FieldReader } from './json-fields.js';
import { httpHeaderNameErrors, portNameErrors, portNumErrors } from './names.js';

const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const HTTP_SCHEMES = ['HTTP', 'HTTPS'];

/** ValidatePortNumOrName: a number in 1..65535 or an IANA_SVC_NAME. */
export function validatePortNumOrName(port: number | string | undefined, path: string, out: FieldCause[]): void {
  if (typeof port === 'string') for (const m of portNameErrors(port)) out.push(invalid(path, port, m));
  else for (const m of portNumErrors(port ?? 0)) out.push(invalid(path, port ?? 0, m));
}

function validateHandlerBody(kind: (typeof HANDLERS)[number], h: FieldReader, out: FieldCause[]): void {
  switch (kind) {
    case 'exec':
      if ((h.stringList('command') ?? []).length === 0) out.push(required(h.at('command'), ''));
      return;
    case 'httpGet': {
      if (!(h.str('path') ?? '')) out.push(required(h.at('path'), ''));
      validatePortNumOrName(h.intOrString('port'), h.at('port'), out);
      const scheme = h.str('scheme') ?? '';
      if (!HTTP_SCHEMES.includes(scheme)) out.push(notSupported(h.at('scheme'), scheme, HTTP_SCHEMES));
      (h.list('httpHeaders') ?? []).forEach((raw, i) => {
        const hdr = FieldReader.of(raw, index(h.at('httpHeaders'), i), out);
        const name = hdr.str('name') ?? '';
        for (const m of httpHeaderNameErrors(name)) out.push(invalid(h.at('httpHeaders'), name, m));
      });
      return;
    }
    case 'tcpSocket':
      validatePortNumOrName(h.intOrString('port'), h.at('port'), out);
      return;
    case 'grpc': {
      const port = h.int('port') ?? 0;
      for (const m of portNumErrors(port)) out.push(invalid(h.at('port'), port, m));
      return;
    }
  }
}

/** validateHandler: exactly one of exec / httpGet / tcpSocket / grpc, each well formed. */
export function validateHandler(p: FieldReader, out: FieldCause[]): void {
  let count = 0;
  for (const kind of HANDLERS) {
    if (!p.has(kind)) continue;
    if (count > 0) {
      out.push(forbidden(p.at(kind), 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    const h = p.sub(kind);
    if (h) validateHandlerBody(kind, h, out);
  }
  if (count === 0) out.push(required(p.path, 'must specify a handler type'));
}

/** validateProbe: a handler plus non-negative timing fields and a positive probe grace period. */
export function validateProbe(p: FieldReader, out: FieldCause[]): void {
  validateHandler(p, out);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    out.push(...validateNonnegative(p.int(f) ?? 0, p.at(f)));
  }
  const grace = p.int('terminationGracePeriodSeconds');
  if (grace !== undefined && grace <= 0) out.push(invalid(p.at('terminationGracePeriodSeconds'), grace, 'must be greater than 0'));
}

/** The three probes of a regular (or restartable init) container. */
export function validateContainerProbes(c: FieldReader, out: FieldCause[]): void {
  const liveness = c.opt('livenessProbe');
  if (liveness) {
    validateProbe(liveness, out);
    const st = liveness.int('successThreshold') ?? 0;
    if (st !== 1) out.push(invalid(liveness.at('successThreshold'), st, 'must be 1'));
  }
  const readiness = c.opt('readinessProbe');
  if (readiness) {
    validateProbe(readiness, out);
    const grace = readiness.int('terminationGracePeriodSeconds');
    if (grace !== undefined) out.push(invalid(readiness.at('terminationGracePeriodSeconds'), grace, 'must not be set for readinessProbes'));
  }
  const startup = c.opt('startupProbe');
  if (startup) {
    validateProbe(startup, out);
    const st = startup.int('successThreshold') ?? 0;
    if (st !== 1) out.push(invalid(startup.at('successThreshold'), st, 'must be 1'));
  }
}
