/**
 * `@kjobs/cli`: the `kjobs` command (run it through `bin/kjobs.mjs`). The program and the pure
 * helpers are exported for tests and tools; importing this module runs nothing.
 */
export { buildProgram, runCli, type ProgramContext } from './program.js';
export type { CliIO, GlobalOptions } from './session.js';
export { parseKubeconfig, findKubeconfig, resolveConnection, type Kubeconfig, type Connection } from './kubeconfig.js';
export { resolveResource, resolveTypes, parseResourceArgs, typeName, qualifiedResource, type ApiResource } from './resources.js';
export { threeWayPatch, BUILTIN_SCHEMA, MERGE_PATCH_SCHEMA } from './apply/three-way-patch.js';
export { lastAppliedConfiguration, planApply, LAST_APPLIED_ANNOTATION } from './apply/last-applied.js';
export { TablePrinter, type Table } from './print/table.js';
export { describeObject } from './print/describe.js';
export { renderProgressBar, renderProgressLine, jobProgress } from './print/progress.js';
export { formatError, CliError } from './errors.js';
