import type { EmailContext } from './copy';

/** The built-in plain-text body: the same facts as the HTML one, with the accept link alone on its line. */
export function renderTextBody(ctx: EmailContext): string {
  const { copy, vars, kind } = ctx;
  const blocks: string[] = [
    copy.greeting(vars.recipientName),
    copy.lead(kind, vars.inviterName, vars.targetName, ctx.expires),
  ];
  const facts: string[] = [];
  if (vars.role !== null) facts.push(`${copy.role} ${vars.role}`);
  if (vars.rules.length > 0) facts.push(`${copy.rules} ${vars.rules.join(', ')}`);
  if (facts.length > 0) blocks.push(facts.join('\n'));
  if (vars.message !== null) {
    const quoted = vars.message
      .replace(/\r\n?/g, '\n')
      .split('\n')
      .map((line) => (line === '' ? '>' : `> ${line}`));
    blocks.push([copy.wrote(vars.inviterName), ...quoted].join('\n'));
  }
  blocks.push(`${copy.acceptLink}\n${vars.acceptUrl}`);
  blocks.push(`-- \n${copy.ignore}\n${copy.sentBy(vars.tenantName)}`);
  return `${blocks.join('\n\n')}\n`;
}
