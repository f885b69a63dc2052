import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
}

/** Frames that only run once the server works: a request in Hono, a delivery in the outbox worker. */
const WORK_FRAME = /node_modules\/hono\/|\/src\/delivery\//;

/**
 * Index of the first sample taken while a request or a delivery was being handled: everything
 * before it is start-up (tsx compiling Usher's modules), which is not what the load costs.
 */
function firstWorkSample(profile: CpuProfile, nodes: Map<number, ProfileNode>): number {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const atWork = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      if (WORK_FRAME.test(nodes.get(at)!.callFrame.url)) return true;
    }
    return false;
  };
  const index = profile.samples.findIndex(atWork);
  return index < 0 ? 0 : index;
}

/** Which part of the stack a script belongs to: a package, a folder of Usher, Node itself. */
function areaOf(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(program)' || url === '') return 'native / V8 (incl. SQLite and crypto calls)';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (dependency) return dependency[1]!;
  const own = /\/(src|bench)\/([^/]+)/.exec(url);
  if (own) return `usher ${own[1]}/${own[2]!.replace(/\.ts$/, '')}`;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

/**
 * Self time of a V8 CPU profile (node --cpu-prof) by function and by area, as percentages of the
 * busy samples from the first request or delivery on: start-up and idle time are left out, so the shares say
 * where the work of serving goes. Native calls (SQLite, crypto) count as the JS function that made them.
 */
export function summarizeProfile(
  file: string,
  top = 15,
): { topFunctions: { name: string; selfPercent: number }[]; byArea: { area: string; selfPercent: number }[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples.slice(firstWorkSample(profile, nodes))) {
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    busy += 1;
    const where = url ? ` ${url.replace(/^.*\/(node_modules|src|bench)\//, '$1/')}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'}${where}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + 1);
    const area = areaOf(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + 1);
  }
  const ranked = (counts: Map<string, number>, limit: number) =>
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([key, n]) => ({ key, selfPercent: (100 * n) / Math.max(1, busy) }));
  return {
    topFunctions: ranked(byFunction, top).map(({ key, selfPercent }) => ({ name: key, selfPercent })),
    byArea: ranked(byArea, 12).map(({ key, selfPercent }) => ({ area: key, selfPercent })),
  };
}
