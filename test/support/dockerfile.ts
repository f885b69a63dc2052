import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './process.ts';

/** One instruction of the Dockerfile: its keyword in upper case, its arguments, and the stage it belongs to. */
export interface DockerfileInstruction {
  readonly keyword: string;
  readonly args: string;
  /** 0 for instructions before the first FROM (global ARGs), then 1, 2, … for each FROM. */
  readonly stage: number;
}

/** Reads the project's Dockerfile into instructions, joining `\`-continued lines and dropping comments. */
export function readDockerfile(path = join(PROJECT_ROOT, 'Dockerfile')): DockerfileInstruction[] {
  const joined = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const instructions: DockerfileInstruction[] = [];
  let stage = 0;
  for (const line of joined.split('\n')) {
    const match = /^\s*([A-Za-z]+)\s+(.*\S)\s*$/.exec(line);
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    if (keyword === 'FROM') stage += 1;
    instructions.push({ keyword, args: match[2]!.replace(/\s+/g, ' '), stage });
  }
  return instructions;
}

/** The exec-form command after a HEALTHCHECK's or CMD's options, or undefined when it is in shell form. */
export function execForm(args: string): string[] | undefined {
  const json = /(?:^|\s)(?:CMD\s+)?(\[.*\])\s*$/.exec(args)?.[1];
  if (json === undefined) return undefined;
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) && parsed.every((part) => typeof part === 'string') ? parsed : undefined;
}

/** The command the image's HEALTHCHECK runs, as an argv; throws when there is none in exec form. */
export function healthcheckCommand(instructions = readDockerfile()): string[] {
  const healthcheck = instructions.findLast((instruction) => instruction.keyword === 'HEALTHCHECK');
  const command = healthcheck && execForm(healthcheck.args);
  if (!command) throw new Error('the Dockerfile has no exec-form HEALTHCHECK … CMD ["…"]');
  return command;
}
