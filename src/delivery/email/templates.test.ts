import { describe, expect, it } from 'vitest';
import { TemplateOverridesSchema, type TemplateOverrides } from '#tenants';
import { renderEmail } from './templates';
import type { TemplateVars } from './template-vars';

const vars: TemplateVars = {
  tenantName: 'Acme',
  brandColor: '#0f766e',
  logoUrl: 'https://acme.example/logo.png',
  inviterName: 'Ann',
  targetName: 'Apollo',
  role: 'editor',
  rules: ['publish', 'review'],
  message: 'Welcome aboard!\nSee you Monday.',
  recipientName: 'Bea',
  expiresAt: '2026-11-03T14:05:00.000Z',
  acceptUrl: 'https://usher.example/i/tok_123',
};

const hostile = '<script>alert(1)</script>';

describe('the built-in invitation and reminder emails', () => {
  it('invite in English with every fact, the link and an English date', () => {
    const email = renderEmail('invitation', 'en', vars);
    expect(email.locale).toBe('en');
    expect(email.subject).toBe('Ann invites you to join Apollo');
    for (const body of [email.text, email.html]) {
      for (const fact of [
        'Ann',
        'Apollo',
        'editor',
        'publish, review',
        'Welcome aboard!',
        'November 3, 2026',
        'UTC',
        'Acme',
        'Hello Bea',
      ]) {
        expect(body).toContain(fact);
      }
      expect(body).toContain(vars.acceptUrl);
    }
    expect(email.text).toMatch(/^https:\/\/usher\.example\/i\/tok_123$/m);
    expect(email.text).toContain('> Welcome aboard!\n> See you Monday.');
    expect(email.html).toContain('Welcome aboard!<br>See you Monday.');
    expect(email.html).toContain('href="https://usher.example/i/tok_123"');
    expect(email.html).toContain('bgcolor="#0f766e"');
    expect(email.html).toContain('src="https://acme.example/logo.png"');
    expect(email.html).toContain('<html lang="en">');
  });

  it('remind in English that the invitation expires soon', () => {
    const email = renderEmail('reminder', 'en', vars);
    expect(email.subject).toBe('Reminder: your invitation to Apollo expires soon');
    expect(email.text).toContain('November 3, 2026');
    expect(email.html).toContain('Your invitation to Apollo expires soon</h1>');
    expect(email.text).toMatch(/^https:\/\/usher\.example\/i\/tok_123$/m);
  });

  it('invite and remind in French, with a French date', () => {
    const invitation = renderEmail('invitation', 'fr', vars);
    const reminder = renderEmail('reminder', 'fr', vars);
    expect(invitation.subject).toBe('Ann vous invite à rejoindre Apollo');
    expect(reminder.subject).toBe('Rappel : votre invitation à rejoindre Apollo expire bientôt');
    for (const email of [invitation, reminder]) {
      expect(email.locale).toBe('fr');
      for (const body of [email.text, email.html]) {
        for (const fact of [
          'Ann',
          'Apollo',
          'Rôle',
          'editor',
          'Règles',
          'Welcome aboard!',
          '3 novembre 2026',
          'UTC',
          'Bonjour Bea',
        ]) {
          expect(body).toContain(fact);
        }
        expect(body).toContain(vars.acceptUrl);
      }
      expect(email.html).toContain('<html lang="fr">');
    }
  });

  it('invite in German too', () => {
    const email = renderEmail('invitation', 'de-AT', vars);
    expect(email.locale).toBe('de');
    expect(email.subject).toBe('Ann lädt Sie ein, Apollo beizutreten');
    expect(email.text).toContain('3. November 2026');
  });

  it('leave out the role, rules, message, greeting name and logo when there are none', () => {
    const email = renderEmail('invitation', 'en', {
      ...vars,
      role: null,
      rules: [],
      message: null,
      recipientName: null,
      logoUrl: null,
    });
    for (const body of [email.text, email.html]) {
      expect(body).not.toContain('Role');
      expect(body).not.toContain('Rules');
      expect(body).not.toContain('wrote');
      expect(body).toContain('Hello,');
    }
    expect(email.html).not.toContain('<img');
  });

  it('fall back from fr-CA to fr and from an unknown language to English', () => {
    expect(renderEmail('invitation', 'fr-CA', vars).locale).toBe('fr');
    expect(renderEmail('invitation', 'fr_CA', vars).locale).toBe('fr');
    expect(renderEmail('invitation', 'xx', vars).locale).toBe('en');
    expect(renderEmail('invitation', 'not a tag!', vars).locale).toBe('en');
  });

  it('escape hostile names and messages in HTML but not in text', () => {
    const email = renderEmail('invitation', 'en', {
      ...vars,
      inviterName: hostile,
      targetName: `"${hostile}`,
      message: hostile,
      recipientName: hostile,
      tenantName: hostile,
      logoUrl: null,
    });
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.text).toContain(`> ${hostile}`);
    expect(email.subject).toContain(hostile);
  });

  it('keep unsafe brand colours and logo URLs out of the HTML', () => {
    const email = renderEmail('invitation', 'en', {
      ...vars,
      brandColor: 'red;background:url(x)',
      logoUrl: 'javascript:alert(1)',
    });
    expect(email.html).not.toContain('url(x)');
    expect(email.html).not.toContain('javascript:');
    expect(email.html).toContain('#4f46e5');
  });

  it('keep the subject on one line even if a name contains CR/LF', () => {
    const email = renderEmail('invitation', 'en', { ...vars, inviterName: 'Ann\r\nBcc: victim@example.com' });
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.subject).toBe('Ann Bcc: victim@example.com invites you to join Apollo');
  });
});

describe('tenant overrides', () => {
  it('replace only the parts they give and substitute placeholders', () => {
    const overrides: TemplateOverrides = {
      fr: { invitation: { subject: '{{inviterName}} et {{ tenantName }} : {{targetName}} ({{role}})' } },
    };
    const email = renderEmail('invitation', 'fr-BE', vars, overrides);
    expect(email.subject).toBe('Ann et Acme : Apollo (editor)');
    expect(email.text).toBe(renderEmail('invitation', 'fr', vars).text);
    expect(email.html).toBe(renderEmail('invitation', 'fr', vars).html);
    expect(renderEmail('reminder', 'fr', vars, overrides).subject).toContain('Rappel');
    expect(renderEmail('invitation', 'en', vars, overrides).subject).toBe('Ann invites you to join Apollo');
  });

  it('escape every value substituted into an HTML override, attributes included, but not in text', () => {
    const overrides: TemplateOverrides = {
      en: {
        invitation: {
          html: '<a href="{{acceptUrl}}" style="color:{{brandColor}}">{{inviterName}}</a> {{message}} until {{expiresAt}}',
          text: '{{message}} {{rules}} {{recipientName}}',
        },
      },
    };
    const email = renderEmail(
      'invitation',
      'en',
      { ...vars, acceptUrl: 'https://x.example/?a=1&b="2"', message: hostile, recipientName: null },
      overrides,
    );
    expect(email.html).toBe(
      '<a href="https://x.example/?a=1&amp;b=&quot;2&quot;" style="color:#0f766e">Ann</a> &lt;script&gt;alert(1)&lt;/script&gt; until November 3, 2026 at 2:05:00 PM UTC',
    );
    expect(email.text).toBe(`${hostile} publish, review `);
    expect(email.subject).toBe('Ann invites you to join Apollo');
  });

  it('never expand placeholders that appear inside a substituted value', () => {
    const email = renderEmail(
      'invitation',
      'en',
      { ...vars, inviterName: '{{acceptUrl}}' },
      { en: { invitation: { text: '{{inviterName}}' } } },
    );
    expect(email.text).toBe('{{acceptUrl}}');
  });

  it('strip CR/LF from an overridden subject', () => {
    const email = renderEmail(
      'invitation',
      'en',
      { ...vars, targetName: 'Apollo\r\nX-Evil: 1' },
      { en: { invitation: { subject: 'Join {{targetName}}' } } },
    );
    expect(email.subject).toBe('Join Apollo X-Evil: 1');
  });
});

describe('the emailTemplates setting schema', () => {
  it('accepts overrides per locale and kind with known placeholders', () => {
    const parsed = TemplateOverridesSchema.parse({
      en: { invitation: { subject: 'Join {{targetName}}' } },
      'fr-CA': { reminder: { html: '<p>{{acceptUrl}}</p>' } },
    });
    const typed: TemplateOverrides = parsed;
    expect(typed.en?.invitation?.subject).toBe('Join {{targetName}}');
  });

  it('rejects an unknown placeholder, naming it', () => {
    const result = TemplateOverridesSchema.safeParse({
      en: { invitation: { text: 'Hi {{firstName}} {{inviterName}}' } },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toHaveLength(1);
    expect(result.error?.issues[0]?.message).toContain('{{firstName}}');
    expect(result.error?.issues[0]?.path).toEqual(['en', 'invitation', 'text']);
  });

  it('rejects a subject over 200 characters and a body over 50 KB', () => {
    expect(TemplateOverridesSchema.safeParse({ en: { invitation: { subject: 'x'.repeat(201) } } }).success).toBe(false);
    expect(TemplateOverridesSchema.safeParse({ en: { invitation: { subject: 'x'.repeat(200) } } }).success).toBe(true);
    expect(TemplateOverridesSchema.safeParse({ en: { reminder: { html: 'é'.repeat(26 * 1024) } } }).success).toBe(
      false,
    );
  });

  it('rejects locales that are not BCP 47 tags and unknown kinds or parts', () => {
    expect(TemplateOverridesSchema.safeParse({ en_US: { invitation: { subject: 'Hi' } } }).success).toBe(false);
    expect(TemplateOverridesSchema.safeParse({ en: { welcome: { subject: 'Hi' } } }).success).toBe(false);
    expect(TemplateOverridesSchema.safeParse({ en: { invitation: { footer: 'Hi' } } }).success).toBe(false);
  });
});
