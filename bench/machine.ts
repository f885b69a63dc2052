import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import SqliteDatabase from 'better-sqlite3';

/** What the numbers were measured on; the report is meaningless without it. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly ramGb: number;
  readonly node: string;
  readonly sqlite: string;
  readonly packages: Readonly<Record<string, string>>;
  /** 1-minute load average when the bench started (it still counts work that ended up to a minute before). */
  readonly loadAtStart: number;
  /** Cores busy in the 2 s before the bench started, from /proc/stat: what else was running right then. */
  readonly busyCoresAtStart: number;
}

/** Busy and total jiffies of all CPUs, from the first line of /proc/stat. */
function cpuJiffies(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  // idle and iowait are the 4th and 5th fields.
  return { busy: total - fields[3]! - fields[4]!, total };
}

/** How many cores other work keeps busy right now, measured over `ms`. */
export async function busyCores(ms = 2000): Promise<number> {
  const before = cpuJiffies();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuJiffies();
  return ((after.busy - before.busy) / Math.max(1, after.total - before.total)) * cpus().length;
}

function packageVersion(name: string): string {
  try {
    return (
      JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return 'unknown';
  }
}

export async function machineInfo(): Promise<MachineInfo> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const sqlite = new SqliteDatabase(':memory:');
  const version = (sqlite.prepare('select sqlite_version() as v').get() as { v: string }).v;
  sqlite.close();
  return {
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    ramGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    sqlite: version,
    packages: Object.fromEntries(
      ['hono', '@hono/node-server', 'better-sqlite3', 'pg', 'kysely', 'autocannon', 'nodemailer', 'smtp-server'].map(
        (name) => [name, packageVersion(name)],
      ),
    ),
    loadAtStart: loadavg()[0]!,
    busyCoresAtStart: await busyCores(),
  };
}
