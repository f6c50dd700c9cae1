import type { Command } from 'commander';
import { ApiError, isApiError, type KObject } from '@kjobs/api';
import { LAST_APPLIED_ANNOTATION, planApply, withLastApplied } from '../apply/last-applied.js';
import { CliError, formatError } from '../errors.js';
import { goJson } from '../go-json.js';
import { readManifests, type Manifest } from '../manifests.js';
import type { ProgramContext } from '../program.js';
import { collectionPath, objectPath, query, resourceForKind, typeName, type ApiResource } from '../resources.js';
import type { Session } from '../session.js';

/** Flags of `kjobs apply`. */
export interface ApplyOptions {
  filename: string[];
  recursive?: boolean;
}

const EXAMPLES = `
Examples:
  # Create or update the chapter's one-shot Job
  kjobs apply -f job-oneshot.yaml

  # Every manifest of a directory, in name order
  kjobs apply -f examples/chapter-12/

  # From stdin
  cat job-parallel.yaml | kjobs apply -f -`;

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Register `kjobs apply`. */
export function registerApply(program: Command, ctx: ProgramContext): void {
  program
    .command('apply')
    .description('Apply a configuration to resources from files or stdin (client-side apply, as kubectl)')
    .requiredOption('-f, --filename <file>', 'file, directory or "-" (stdin) with the manifests (repeatable)', collect)
    .option('-R, --recursive', 'process directories recursively')
    .addHelpText('after', EXAMPLES)
    .action(async (opts: ApplyOptions, cmd: Command) => ctx.run(cmd, (s) => runApply(s, opts)));
}

/** The manifest with the namespace apply uses, and its resource; throws on a namespace mismatch. */
export function placeManifest(s: Session, resources: ApiResource[], m: Manifest): { r: ApiResource; obj: KObject; namespace: string } {
  const r = resourceForKind(resources, m.object.apiVersion, m.object.kind);
  const docNs = m.object.metadata.namespace;
  if (r.namespaced && docNs && s.conn.namespaceExplicit && docNs !== s.namespace) {
    throw new CliError(`the namespace from the provided object "${docNs}" does not match the namespace "${s.namespace}". `
      + `You must pass '--namespace=${docNs}' to perform this operation.`);
  }
  const namespace = r.namespaced ? docNs || s.namespace : '';
  const metadata = { ...m.object.metadata };
  if (r.namespaced) metadata.namespace = namespace;
  else delete metadata.namespace;
  return { r, obj: { ...m.object, metadata }, namespace };
}

/** `kjobs apply -f`: create with the last-applied annotation, or patch from it. */
export async function runApply(s: Session, o: ApplyOptions): Promise<number> {
  const manifests = await readManifests(o.filename, s.io.cwd, s.io.readStdin, o.recursive);
  const resources = await s.discovery();
  let failed = 0;
  for (const m of manifests) {
    try {
      const { r, obj, namespace } = placeManifest(s, resources, m);
      const name = obj.metadata.name;
      if (!name) throw new CliError(`error when retrieving current configuration of: Resource: "${typeName(r)}", Name: "", Namespace: "${namespace}"\nfrom server for: "${m.source}": resource name may not be empty`);
      const result = await applyOne(s, r, obj, namespace, name, m.source);
      s.io.out(`${typeName(r)}/${name} ${result}\n`);
    } catch (e) {
      s.io.err(`${formatError(e)}\n`);
      failed = 1;
    }
  }
  return failed;
}

async function applyOne(s: Session, r: ApiResource, obj: KObject, ns: string, name: string, source: string): Promise<'created' | 'configured' | 'unchanged'> {
  for (let attempt = 0; ; attempt++) {
    let current: KObject | undefined;
    try {
      current = await s.rest.request<KObject>('GET', objectPath(r, ns, name));
    } catch (e) {
      if (!isApiError(e, 404)) throw e;
    }
    if (!current) {
      try {
        await s.rest.request('POST', collectionPath(r, ns) + query({ fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' }), {
          body: goJson(withLastApplied(obj)),
        });
        return 'created';
      } catch (e) {
        throw contextualize(e, `error when creating "${source}"`);
      }
    }
    const plan = planApply(obj, current);
    if (plan.missingAnnotation) {
      s.io.err(`Warning: resource ${r.name}/${name} is missing the ${LAST_APPLIED_ANNOTATION} annotation which is required by kjobs apply. `
        + 'kjobs apply should only be used on resources created declaratively by either kjobs create --save-config or kjobs apply. '
        + 'The missing annotation will be patched automatically.\n');
    }
    if (Object.keys(plan.patch).length === 0) return 'unchanged';
    try {
      await s.rest.request('PATCH', objectPath(r, ns, name) + query({ fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' }), {
        body: goJson(plan.patch), contentType: plan.contentType,
      });
      return 'configured';
    } catch (e) {
      if (isApiError(e, 409) && attempt < 4) continue;
      throw contextualize(e, `error when applying patch to "${source}"`);
    }
  }
}

/** Prefix a Status error's message with kubectl's "error when creating \"file\"" context. */
export function contextualize(e: unknown, context: string): unknown {
  if (isApiError(e) && e.reason !== 'Invalid') {
    return new ApiError(e.code, e.reason, `${context}: ${e.message}`, e.details);
  }
  return e;
}
