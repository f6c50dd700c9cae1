/**
 * kubectl get's `-o` flag: the built-in formats, and the template ones that carry an argument
 * (`jsonpath=…`, `jsonpath-file=…`, `jsonpath-as-json=…`, `custom-columns=…`,
 * `custom-columns-file=…`), parsed once into a printer with kubectl's error texts.
 */
import { CliError } from '../errors.js';
import { columnsFromSpec, columnsFromTemplate, CustomColumnsPrinter } from './custom-columns.js';
import { JsonPath } from './jsonpath.js';

/** A parsed `-o`: a table (from the server), objects as text, or a template printer. */
export type OutputFormat =
  | { kind: 'table' | 'wide' | 'json' | 'yaml' | 'name' }
  | { kind: 'jsonpath'; template: string; path: JsonPath }
  | { kind: 'custom-columns'; printer: CustomColumnsPrinter };

/** Every `-o` value kjobs get takes, as kubectl lists them. */
export const OUTPUT_FORMATS = ['custom-columns', 'custom-columns-file', 'json', 'jsonpath', 'jsonpath-as-json', 'jsonpath-file', 'name', 'wide', 'yaml'];

/** What parsing `-o` needs besides its value. */
export interface OutputFormatContext {
  /** `--template`: the template when `-o jsonpath` has no `=…`. */
  template?: string;
  /** `--no-headers` (custom columns). */
  noHeaders?: boolean;
  /** `--allow-missing-template-keys` (default true). */
  allowMissingKeys?: boolean;
  /** Read a template file (`jsonpath-file`, `custom-columns-file`). */
  readFile(path: string): string;
}

/** Parse `-o` (undefined = the server's table). */
export function parseOutputFormat(o: string | undefined, ctx: OutputFormatContext): OutputFormat {
  const value = o ?? 'table';
  const eq = value.indexOf('=');
  const name = eq < 0 ? value : value.slice(0, eq);
  const arg = eq < 0 ? ctx.template ?? '' : value.slice(eq + 1);
  switch (name) {
    case 'table':
    case 'wide':
    case 'json':
    case 'yaml':
    case 'name':
      if (eq < 0) return { kind: name };
      break;
    case 'jsonpath':
    case 'jsonpath-as-json':
    case 'jsonpath-file': {
      if (arg === '') throw new CliError('template format specified but no template given');
      const template = name === 'jsonpath-file' ? readTemplate(ctx, arg) : arg;
      try {
        return { kind: 'jsonpath', template, path: new JsonPath(template, { allowMissingKeys: ctx.allowMissingKeys ?? true, outputJson: name === 'jsonpath-as-json' }) };
      } catch (e) {
        throw new CliError(`error parsing jsonpath ${template}, ${(e as Error).message}`);
      }
    }
    case 'custom-columns':
    case 'custom-columns-file':
      try {
        const columns = name === 'custom-columns' ? columnsFromSpec(arg) : columnsFromTemplate(readTemplate(ctx, arg));
        return { kind: 'custom-columns', printer: new CustomColumnsPrinter(columns, ctx.noHeaders) };
      } catch (e) {
        throw e instanceof CliError ? e : new CliError((e as Error).message);
      }
    default:
      break;
  }
  throw new CliError(`unable to match a printer suitable for the output format "${value}", allowed formats are: ${OUTPUT_FORMATS.join(',')}`);
}

function readTemplate(ctx: OutputFormatContext, file: string): string {
  if (file === '') throw new CliError('template format specified but no template file given');
  try {
    return ctx.readFile(file);
  } catch (e) {
    throw new CliError(`error reading --template ${file}, ${(e as Error).message}`);
  }
}

/**
 * The text of `-o jsonpath` for one value (an object, or the List kubectl wraps several in);
 * an execution error reads as kubectl's first line of it.
 */
export function executeJsonPath(f: OutputFormat & { kind: 'jsonpath' }, value: unknown): string {
  try {
    return f.path.execute(value);
  } catch (e) {
    throw new CliError(`error executing jsonpath ${JSON.stringify(f.template)}: Error executing template: ${(e as Error).message}.`);
  }
}
