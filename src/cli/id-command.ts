import type { Command } from 'commander';
import { contextOf, type CommandContext } from './context';

/**
 * Adds `<name> <id>` under `parent`: the shape of get, revoke, resend, delete and the like, whose
 * action is one call about one resource. `what` names the resource in the help ("the contact's id").
 */
export function addIdCommand(
  parent: Command,
  name: string,
  description: string,
  what: string,
  run: (context: CommandContext, id: string) => Promise<void>,
): Command {
  return parent
    .command(name)
    .description(description)
    .argument('<id>', `the ${what}'s id`)
    .action(async (id: string, _flags: unknown, command: Command) => run(contextOf(command), id));
}
