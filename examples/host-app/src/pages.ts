import { html } from 'hono/html';
import type { Member, ReceivedEvent, SignedInUser } from './store.ts';

/** Roles a member can invite with, the default first; the team's founder is its owner. */
export const INVITABLE_ROLES = ['editor', 'viewer', 'admin'] as const;

type Content = ReturnType<typeof html>;

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
  header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; justify-content: space-between; align-items: center;
    padding: .75rem 1.25rem; background: #1d3557; color: #fff; }
  header p { margin: 0; }
  main { max-width: 46rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
  section { background: #fff; border: 1px solid #d5d9e0; border-radius: .5rem; padding: 1rem 1.25rem; margin: 1rem 0; }
  h1 { font-size: 1.6rem; margin: .5rem 0; } h2 { font-size: 1.2rem; margin: 0 0 .5rem; }
  table { width: 100%; border-collapse: collapse; } th, td { text-align: left; padding: .35rem .5rem .35rem 0;
    border-bottom: 1px solid #e4e7ec; vertical-align: top; }
  td .email { display: block; color: #4b5563; overflow-wrap: anywhere; }
  label { display: block; font-weight: 600; margin-top: .75rem; }
  input, select { font: inherit; width: 100%; max-width: 24rem; box-sizing: border-box; padding: .45rem;
    border: 1px solid #6b7280; border-radius: .35rem; }
  button { font: inherit; display: block; margin-top: 1rem; padding: .5rem 1rem; border: 0; border-radius: .35rem;
    background: #1d4ed8; color: #fff; cursor: pointer; }
  header button { display: inline-block; margin: 0 0 0 .5rem; background: #fff; color: #1d3557; }
  .notice { background: #e7f6ec; border-color: #7cc69a; } .error { background: #fdecec; border-color: #e79a9a; }
  section.notice p, section.error p { margin: 0; }
  .hint { color: #4b5563; margin: .25rem 0 0; } ul.events { padding-left: 1.1rem; } code { font-size: .95em; }
  ul.events time { color: #4b5563; font-variant-numeric: tabular-nums; }
`;

/** The frame of every page: a header with who is signed in, and the page's own content. */
function layout(title: string, user: SignedInUser | null, content: Content): Content {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Teamboard</title>
        <style>
          ${STYLE}
        </style>
      </head>
      <body>
        <header>
          <p><strong>Teamboard</strong> <span>· an Usher example</span></p>
          ${
            user
              ? html`<form method="post" action="/signout">
                  <p>Signed in as ${user.name} <button type="submit">Sign out</button></p>
                </form>`
              : ''
          }
        </header>
        <main>${content}</main>
      </body>
    </html>`;
}

/** "Sign in as": this example has no passwords; a real app puts its own sign-in here. */
export function signInPage(error?: string): Content {
  return layout(
    'Sign in',
    null,
    html` <h1>Sign in</h1>
      <p>
        This example has no passwords: sign in as anyone by name and email. A real application uses its own sign-in
        here. The first person to sign in founds the team as its owner.
      </p>
      ${error ? html`<section class="error" role="alert"><p>${error}</p></section>` : ''}
      <section>
        <form method="post" action="/signin">
          <label for="name">Name</label>
          <input id="name" name="name" autocomplete="name" required maxlength="100" />
          <label for="email">Email</label>
          <input id="email" name="email" type="email" autocomplete="email" required maxlength="254" />
          <button type="submit">Sign in</button>
        </form>
      </section>`,
  );
}

/** Why Usher refused an invitation, with the email and role as they were typed. */
export interface InviteError {
  readonly message: string;
  readonly email: string;
  readonly role: string;
}

/** What the team page shows: the team, the viewer, a notice or an error from the last action, and the events. */
export interface TeamPageView {
  readonly teamName: string;
  readonly user: SignedInUser;
  readonly members: readonly Member[];
  readonly events: readonly ReceivedEvent[];
  readonly notice?: string;
  /** An invite Usher refused: its message, and the form as filled in, to correct it. */
  readonly inviteError?: InviteError;
}

/** The team page: members with roles, the invite form (owners and admins), and Usher's last events. */
export function teamPage(view: TeamPageView): Content {
  const { teamName, user, members, events } = view;
  const canInvite = user.role === 'owner' || user.role === 'admin';
  return layout(
    teamName,
    user,
    html` <h1>${teamName}</h1>
      ${view.notice ? html`<section class="notice" role="status"><p>${view.notice}</p></section>` : ''}
      ${
        user.role === null
          ? html`<section><p>You are not on ${teamName} yet. Ask a member to invite you.</p></section>`
          : html`<p>You are ${article(user.role)} <strong>${user.role}</strong> of this team.</p>`
      }
      <section aria-labelledby="members-title">
        <h2 id="members-title">Members</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Role</th>
            </tr>
          </thead>
          <tbody>
            ${members.map(
              (member) =>
                html`<tr>
                  <td><span class="name">${member.name}</span> <span class="email">${member.email}</span></td>
                  <td>${member.role}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>
      ${canInvite ? inviteForm(view.inviteError) : ''}
      <section aria-labelledby="events-title">
        <h2 id="events-title">From Usher</h2>
        <p class="hint">
          The last webhooks Usher sent (times in UTC), each verified against this app's signing secret.
        </p>
        ${
          events.length === 0
            ? html`<p>No events yet.</p>`
            : html`<ul class="events">
                ${events.map(
                  (event) =>
                    html`<li>
                      <time datetime="${event.receivedAt}">${event.receivedAt.slice(11, 19)}</time>
                      <code>${event.type}</code>: ${event.summary}
                    </li>`,
                )}
              </ul>`
        }
      </section>`,
  );
}

function inviteForm(error: TeamPageView['inviteError']): Content {
  return html`<section aria-labelledby="invite-title">
    <h2 id="invite-title">Invite</h2>
    ${error ? html`<p class="error" role="alert" id="invite-error">${error.message}</p>` : ''}
    <form method="post" action="/invite">
      <label for="invite-email">Email</label>
      <input
        id="invite-email"
        name="email"
        type="email"
        required
        maxlength="254"
        value="${error?.email ?? ''}"
        ${error ? html`aria-invalid="true" aria-describedby="invite-error"` : ''}
      />
      <label for="invite-role">Role</label>
      <select id="invite-role" name="role">
        ${INVITABLE_ROLES.map((role) => html`<option${role === error?.role ? ' selected' : ''}>${role}</option>`)}
      </select>
      <button type="submit">Send invitation</button>
    </form>
  </section>`;
}

/** A page that says what went wrong and where to go, for refusals. */
export function messagePage(title: string, message: string): Content {
  return layout(
    title,
    null,
    html`<h1>${title}</h1>
      <section>
        <p>${message}</p>
        <p><a href="/">Go to Teamboard</a></p>
      </section>`,
  );
}

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');
