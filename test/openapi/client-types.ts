import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import type { Teardowns } from '../support/isolation.js';
import type { OpenApiDocument } from './documents.js';

/** The TypeScript a client generator (openapi-typescript) writes for a document. */
export async function generatedTypes(document: OpenApiDocument): Promise<string> {
  return astToString(await openapiTS(structuredClone(document), { silent: true }));
}

/**
 * A tiny client of the generated types: `Answer` picks the JSON body of one route and status,
 * the way a typed fetch wrapper does. `usage` is code written against the generated `paths`.
 */
const clientModule = (usage: string) => `import type { paths } from './api.js';

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
export type Answer<P extends keyof paths, M extends Method, S extends number> = paths[P] extends {
  [method in M]: { responses: { [status in S]: { content: { 'application/json': infer Body } } } };
}
  ? Body
  : never;

${usage}
`;

export interface TypeCheck {
  /** Compiler errors over the generated types and the client, formatted. */
  readonly diagnostics: string[];
  /** The routes the generated \`paths\` type has. */
  readonly paths: string[];
}

/**
 * Type-checks the generated types (as api.d.ts) and a client using them in a temporary directory
 * removed at teardown, strictly, the way this repository compiles its own code.
 */
export async function typeCheckClient(
  t: Teardowns,
  types: string,
  usage: string,
): Promise<TypeCheck> {
  const dir = await mkdtemp(join(tmpdir(), 'aisle-openapi-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const api = join(dir, 'api.d.ts');
  const client = join(dir, 'client.ts');
  await writeFile(api, types);
  await writeFile(client, clientModule(usage));
  const program = ts.createProgram([api, client], {
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
    types: [],
  });
  const diagnostics = ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.formatDiagnostic(diagnostic, diagnosticHost));
  return { diagnostics, paths: pathsOf(program, api) };
}

function pathsOf(program: ts.Program, file: string): string[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const module = source && checker.getSymbolAtLocation(source);
  const paths = module && checker.getExportsOfModule(module).find((s) => s.name === 'paths');
  if (paths === undefined) return [];
  return checker
    .getDeclaredTypeOfSymbol(paths)
    .getProperties()
    .map((route) => route.name);
}

const diagnosticHost: ts.FormatDiagnosticsHost = {
  getCanonicalFileName: (name) => name,
  getCurrentDirectory: () => process.cwd(),
  getNewLine: () => '\n',
};
