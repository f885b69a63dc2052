import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** One import of one module: where it points and whether it survives compilation. */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  /** `import type` / `export type`: erased by the compiler, yet still a dependency a reader has to follow. */
  readonly typeOnly: boolean;
  /** `import('…')`: loaded when called, not when the importer is. */
  readonly dynamic: boolean;
}

/** The modules under a source folder and the imports between them, paths relative to the repository root. */
export interface ImportGraph {
  readonly modules: readonly string[];
  readonly edges: readonly ImportEdge[];
}

const SOURCE = /\.(ts|tsx|mts|mjs)$/;
const EXTENSIONS = ['', '.ts', '.tsx', '.mts', '.mjs', '/index.ts', '/index.tsx'];

/**
 * Parses every non-test module under `folder` and resolves its imports the way Node and the compiler do: relative
 * paths and the package.json "imports" aliases (`#db`, `#delivery/*`). Imports of packages are left out; imports that
 * reach outside `folder` (test support, the SDK package) stay in, so rules can forbid them.
 */
export function buildImportGraph(root: string, folder: string): ImportGraph {
  const aliases = packageImports(root);
  const modules = listModules(join(root, folder)).map((file) => relative(root, file));
  const edges: ImportEdge[] = [];
  for (const module of modules) {
    for (const reference of moduleReferences(join(root, module))) {
      const target = resolveSpecifier(root, aliases, join(root, module), reference.specifier);
      if (target) edges.push({ from: module, to: relative(root, target), ...reference.kind });
    }
  }
  return { modules, edges };
}

/**
 * Every cycle's strongly connected component (Tarjan), each with one shortest cycle through it spelled out as
 * `a → b → a`, so a failure names files a reader can open rather than a set.
 */
export function findCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  return stronglyConnected(next)
    .filter((component) => component.length > 1 || (next.get(component[0]!) ?? []).includes(component[0]!))
    .map((component) => shortestCycle(next, new Set(component)));
}

function stronglyConnected(next: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    components.push(component.sort());
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) visit(node);
  return components;
}

/** Breadth-first from the component's first module back to itself, staying inside the component. */
function shortestCycle(next: ReadonlyMap<string, readonly string[]>, component: ReadonlySet<string>): string[] {
  const start = [...component][0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const to of next.get(node) ?? []) {
      if (!component.has(to)) continue;
      if (to === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start];
      }
      if (!previous.has(to) && to !== start) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start, start];
}

interface Reference {
  readonly specifier: string;
  readonly kind: { readonly typeOnly: boolean; readonly dynamic: boolean };
}

function moduleReferences(file: string): Reference[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const references: Reference[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = node.importClause?.isTypeOnly ?? false;
      references.push({ specifier: node.moduleSpecifier.text, kind: { typeOnly, dynamic: false } });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      references.push({ specifier: node.moduleSpecifier.text, kind: { typeOnly: node.isTypeOnly, dynamic: false } });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteralLike(argument)) {
        references.push({ specifier: argument.text, kind: { typeOnly: false, dynamic: true } });
      }
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = node.argument.literal;
      if (ts.isStringLiteral(literal)) {
        references.push({ specifier: literal.text, kind: { typeOnly: true, dynamic: false } });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return references;
}

function resolveSpecifier(
  root: string,
  aliases: Record<string, string>,
  from: string,
  specifier: string,
): string | null {
  let base: string | null = null;
  if (specifier.startsWith('.')) base = resolve(dirname(from), specifier);
  else if (specifier.startsWith('#')) base = resolveAlias(root, aliases, specifier);
  if (base === null) return null;
  // Data (`package.json`, a vendored OpenAPI document) imports nothing, so it cannot close a cycle.
  if (/\.json$/.test(base) && existsSync(base)) return null;
  // `./x.js` may name `./x.ts`, as the compiler allows.
  const candidates = [...EXTENSIONS.map((extension) => base + extension), base.replace(/\.js$/, '.ts')];
  const found = candidates.find((candidate) => SOURCE.test(candidate) && existsSync(candidate));
  if (found) return found;
  throw new Error(`${relative(root, from)}: cannot resolve '${specifier}'`);
}

/** Subpath imports: an exact key, or one `*` pattern whose match replaces the `*` of the target. */
function resolveAlias(root: string, aliases: Record<string, string>, specifier: string): string {
  const exact = aliases[specifier];
  if (exact) return resolve(root, exact);
  for (const [pattern, target] of Object.entries(aliases)) {
    const star = pattern.indexOf('*');
    if (star < 0) continue;
    const [prefix, suffix] = [pattern.slice(0, star), pattern.slice(star + 1)];
    if (specifier.startsWith(prefix) && specifier.endsWith(suffix) && specifier.length >= pattern.length - 1) {
      return resolve(root, target.replace('*', specifier.slice(prefix.length, specifier.length - suffix.length)));
    }
  }
  throw new Error(`no package.json "imports" entry matches '${specifier}'`);
}

function packageImports(root: string): Record<string, string> {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { imports?: Record<string, string> };
  return manifest.imports ?? {};
}

function listModules(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && SOURCE.test(entry.name) && !/\.(test|d)\.[cm]?tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
