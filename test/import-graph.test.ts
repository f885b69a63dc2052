import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildImportGraph, findCycles, type ImportEdge } from '#support/import-graph';

// The graph is computed from the files as they are, so moving code between modules needs no edit here.
// Type-only imports count: they vanish at run time, but a reader following a type still walks the circle, and
// the circles this test was written against (email templates ↔ copy, did-document ↔ did-key) were type-only.
const root = fileURLToPath(new URL('..', import.meta.url));
const graph = buildImportGraph(root, 'src');

/**
 * Imports that would close a circle and are allowed anyway, each with its reason. Empty today; an entry names one
 * edge, so the rest of the graph stays checked.
 */
const ALLOWED_CYCLE_EDGES: readonly { readonly from: string; readonly to: string; readonly why: string }[] = [];

/** Imports that point the wrong way: a lower layer reaching into one built on it. */
const FORBIDDEN: readonly { readonly from: string; readonly to: string; readonly why: string }[] = [
  { from: 'src/', to: 'test/', why: 'shipped code never depends on test support' },
  { from: 'src/common/', to: 'src/', why: 'common holds generic helpers that know no capability' },
  ...['delivery', 'invitations', 'acceptance', 'didcomm', 'activitypub', 'providers', 'compat', 'web'].map((upper) => ({
    from: 'src/tenants/',
    to: `src/${upper}/`,
    why: 'tenants sit below every channel',
  })),
];

function sameEdge(a: { readonly from: string; readonly to: string }, b: ImportEdge): boolean {
  return a.from === b.from && a.to === b.to;
}

function isAllowed(edge: ImportEdge): boolean {
  return ALLOWED_CYCLE_EDGES.some((allowed) => sameEdge(allowed, edge));
}

describe('the import graph of src/', () => {
  it('reads every module and resolves the package.json import aliases', () => {
    expect(graph.modules).toContain('src/app.ts');
    expect(graph.edges).toContainEqual(expect.objectContaining({ from: 'src/app.ts', to: 'src/invitations/index.ts' }));
  });

  it('has no import cycles', () => {
    const cycles = findCycles(graph.edges.filter((edge) => !isAllowed(edge))).map((cycle) => cycle.join(' → '));
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
  });

  it('allows only cycle edges that still exist', () => {
    const stale = ALLOWED_CYCLE_EDGES.filter((allowed) => !graph.edges.some((edge) => sameEdge(allowed, edge)));
    expect(stale).toEqual([]);
  });

  it('has no upward imports', () => {
    const upward = graph.edges
      .flatMap((edge) => FORBIDDEN.filter((rule) => breaks(rule, edge)).map((rule) => ({ edge, rule })))
      .map(({ edge, rule }) => `${edge.from} → ${edge.to}: ${rule.why}`);
    expect(upward, `upward imports:\n${upward.join('\n')}`).toEqual([]);
  });
});

function breaks(rule: { readonly from: string; readonly to: string }, edge: ImportEdge): boolean {
  if (!edge.from.startsWith(rule.from) || !edge.to.startsWith(rule.to)) return false;
  // A folder's own files may import each other ("src/common/" → "src/common/" is not upward).
  return !edge.to.startsWith(rule.from);
}
