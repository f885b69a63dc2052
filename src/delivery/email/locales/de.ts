import type { EmailCopy } from '../copy';

/** German copy of the built-in invitation and reminder emails. */
export const de: EmailCopy = {
  subject: (kind, inviter, target) =>
    kind === 'invitation'
      ? `${inviter} lädt Sie ein, ${target} beizutreten`
      : `Erinnerung: Ihre Einladung zu ${target} läuft bald ab`,
  heading: (kind, inviter, target) =>
    kind === 'invitation'
      ? `${inviter} lädt Sie ein, ${target} beizutreten`
      : `Ihre Einladung zu ${target} läuft bald ab`,
  greeting: (name) => (name ? `Hallo ${name},` : 'Hallo,'),
  lead: (kind, inviter, target, expires) =>
    kind === 'invitation'
      ? `${inviter} hat Sie eingeladen, ${target} beizutreten. Die Einladung gilt bis zum ${expires}.`
      : `${inviter} hat Sie eingeladen, ${target} beizutreten, und die Einladung wartet noch auf Sie. Sie läuft am ${expires} ab.`,
  role: 'Rolle:',
  rules: 'Regeln:',
  wrote: (inviter) => `${inviter} schreibt:`,
  accept: 'Einladung annehmen',
  acceptLink: 'Um die Einladung anzunehmen, öffnen Sie diesen Link:',
  linkIntro: 'Falls die Schaltfläche nicht funktioniert, kopieren Sie diesen Link in Ihren Browser:',
  ignore:
    'Falls Sie diese Einladung nicht erwartet haben, können Sie diese E-Mail ignorieren: Ohne Ihre Zustimmung passiert nichts.',
  sentBy: (tenant) => `Gesendet im Auftrag von ${tenant}.`,
};
