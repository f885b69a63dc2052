import type { EmailCopy } from '../copy';

/** French copy of the built-in invitation and reminder emails. */
export const fr: EmailCopy = {
  subject: (kind, inviter, target) =>
    kind === 'invitation'
      ? `${inviter} vous invite à rejoindre ${target}`
      : `Rappel : votre invitation à rejoindre ${target} expire bientôt`,
  heading: (kind, inviter, target) =>
    kind === 'invitation'
      ? `${inviter} vous invite à rejoindre ${target}`
      : `Votre invitation à rejoindre ${target} expire bientôt`,
  greeting: (name) => (name ? `Bonjour ${name},` : 'Bonjour,'),
  lead: (kind, inviter, target, expires) =>
    kind === 'invitation'
      ? `${inviter} vous invite à rejoindre ${target}. L’invitation est valable jusqu’au ${expires}.`
      : `L’invitation à rejoindre ${target} envoyée par ${inviter} vous attend toujours. Elle expire le ${expires}.`,
  role: 'Rôle :',
  rules: 'Règles :',
  wrote: (inviter) => `${inviter} a écrit :`,
  accept: 'Accepter l’invitation',
  acceptLink: 'Pour accepter l’invitation, ouvrez ce lien :',
  linkIntro: 'Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur :',
  ignore:
    'Si vous n’attendiez pas cette invitation, vous pouvez ignorer ce message : rien ne se passe tant que vous ne l’acceptez pas.',
  sentBy: (tenant) => `Envoyé par ${tenant}.`,
};
