/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError } from '#common/errors';
import { hasScope } from '#common/rights';
import { decodeCursor, type Cursor } from '#http/pagination';
import { apiKeyActor, type Invitation, type JoinRequest } from '#invitations';
import type { ConsoleDeps } from './deps';
import { pageRenderer } from './render';
import { refusalErrors } from './forms';
import { Badge, Csrf, TableScroller } from './layout';
import { formFields, type ConsoleEnv } from './middleware';

const PAGE_SIZE = 25;
const STATUSES = ['pending', 'approved', 'declined'] as const;
type Status = (typeof STATUSES)[number];
const NOTICES = new Map([
  ['approved', 'Approved: the requester is a member now and is told by email when they gave an address.'],
  ['declined', 'Declined: no seat was taken, and the requester is told by email when they gave an address.'],
]);
const when = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC') : '—');

/** Who asked, as the request holds it: each thing they gave, the member key when they gave nothing readable. */
function Requester(props: { request: JoinRequest }) {
  const { acceptor, member } = props.request;
  const facts = [
    acceptor.name,
    acceptor.email,
    acceptor.did,
    acceptor.actorIri,
    acceptor.subject ? `subject ${acceptor.subject}` : undefined,
  ].filter((fact): fact is string => Boolean(fact));
  if (facts.length === 0) return <span class="mono">{member}</span>;
  return <>{facts.map((fact, index) => (index === 0 ? <strong>{fact}</strong> : <div class="muted">{fact}</div>))}</>;
}

const label = (request: JoinRequest) =>
  request.acceptor.name ?? request.acceptor.email ?? request.acceptor.did ?? request.member;

/** Which link it came through and what it admits into. */
function Through(props: { id: string; invitation: Invitation | undefined }) {
  const { invitation } = props;
  const into = invitation ? (invitation.target.name ?? invitation.target.iri ?? invitation.target.type) : null;
  return (
    <>
      <a href={`/console/invitations/${props.id}`}>{invitation?.purpose ?? props.id}</a>
      {invitation ? (
        <div class="muted">
          {into} as {invitation.role ?? 'member'}
        </div>
      ) : null}
    </>
  );
}

/** Approve, and Decline with an optional reason told to the requester: the API's two decisions. */
function Decide(props: { request: JoinRequest; csrf: string }) {
  const { id } = props.request;
  const who = label(props.request);
  return (
    <>
      <form class="inline" method="post" action={`/console/join-requests/${id}/approve`}>
        <Csrf token={props.csrf} />
        <button type="submit" aria-label={`Approve ${who}`}>
          Approve
        </button>
      </form>{' '}
      <form class="inline" method="post" action={`/console/join-requests/${id}/decline`}>
        <Csrf token={props.csrf} />
        <input name="reason" maxlength={1000} placeholder="Reason (optional)" aria-label={`Why decline ${who}`} />{' '}
        <button type="submit" class="danger" aria-label={`Decline ${who}`}>
          Decline
        </button>
      </form>
    </>
  );
}

/** Who first, then the decision (or the buttons): on a phone those two fit before the table scrolls. */
function RequestTable(props: {
  rows: readonly JoinRequest[];
  invitations: ReadonlyMap<string, Invitation>;
  status: Status;
  csrf: string | null;
}) {
  const pending = props.status === 'pending';
  return (
    <TableScroller label="Join requests">
      <table>
        <thead>
          <tr>
            <th>Who</th>
            {pending ? null : <th>Decided</th>}
            {pending && props.csrf ? (
              <th>
                <span class="muted">Decide</span>
              </th>
            ) : null}
            <th>Through</th>
            <th>Asked</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((request) => (
            <tr>
              <td>
                <Requester request={request} />
              </td>
              {pending ? null : (
                <td>
                  <Badge value={request.status} /> {when(request.decidedAt)}
                  {request.reason ? <div class="muted">{request.reason}</div> : null}
                </td>
              )}
              {pending && props.csrf ? (
                <td>
                  <Decide request={request} csrf={props.csrf} />
                </td>
              ) : null}
              <td>
                <Through id={request.invitationId} invitation={props.invitations.get(request.invitationId)} />
              </td>
              <td>{when(request.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroller>
  );
}

/**
 * Join requests of links that require approval: pending ones with Approve and Decline (a key with
 * invitations:write), decided ones under their filter. The decisions are the API's own service calls,
 * audited as the session's key through the console.
 */
export function createJoinRequestPages(deps: ConsoleDeps) {
  const { db, invitations } = deps;
  const page = pageRenderer(db, 'join-requests');
  type C = Context<ConsoleEnv>;

  const refused = (c: C, title: string, error: unknown) => {
    const status = (error instanceof AppError ? error.status : 409) as ContentfulStatusCode;
    const message = Object.values(refusalErrors(error))[0];
    return page(
      c,
      title,
      <>
        <p class="alert" role="alert">
          {message}
        </p>
        <p>
          <a href="/console/join-requests">Back to the join requests</a>
        </p>
      </>,
      status,
    );
  };

  return new Hono<ConsoleEnv>()
    .get('/console/join-requests', async (c) => {
      const { tenantId, rights, csrfToken } = c.var.session;
      const status: Status = STATUSES.find((s) => s === c.req.query('status')) ?? 'pending';
      let cursor: Cursor | null = null;
      try {
        cursor = c.req.query('cursor') ? decodeCursor(c.req.query('cursor')!) : null;
      } catch {
        // A link Usher did not issue: show the first page.
      }
      const result = await invitations.listJoinRequests(tenantId, { status, limit: PAGE_SIZE, cursor });
      const through = new Map<string, Invitation>();
      for (const id of new Set(result.data.map((request) => request.invitationId))) {
        const invitation = await invitations.get(tenantId, id).catch(() => null);
        if (invitation) through.set(id, invitation);
      }
      const notice = NOTICES.get(c.req.query('notice') ?? '');
      const mayDecide = hasScope(rights, 'invitations:write');
      return page(
        c,
        'Join requests',
        <>
          <p class="muted">People who opened a link that requires approval. Approving gives them the seat.</p>
          {notice ? (
            <p class="notice" role="status">
              {notice}
            </p>
          ) : null}
          <nav class="actions" aria-label="Which requests">
            {STATUSES.map((s) => (
              <a
                class={s === status ? 'button' : 'button secondary'}
                href={`/console/join-requests?status=${s}`}
                aria-current={s === status ? 'page' : undefined}
              >
                {s[0]!.toUpperCase() + s.slice(1)}
              </a>
            ))}
          </nav>
          {result.data.length === 0 ? (
            <p class="card muted">No {status} join requests.</p>
          ) : (
            <RequestTable
              rows={result.data}
              invitations={through}
              status={status}
              csrf={mayDecide ? csrfToken : null}
            />
          )}
          {result.nextCursor ? (
            <p class="actions">
              <a
                class="button secondary"
                href={`/console/join-requests?${new URLSearchParams({ status, cursor: result.nextCursor })}`}
              >
                Next page
              </a>
            </p>
          ) : null}
        </>,
      );
    })
    .post('/console/join-requests/:id/approve', async (c) => {
      const actor = apiKeyActor(c.var.session, 'console');
      try {
        await invitations.approveJoinRequest(c.var.session.tenantId, c.req.param('id'), actor);
      } catch (error) {
        return refused(c, 'Not approved', error);
      }
      return c.redirect('/console/join-requests?notice=approved', 303);
    })
    .post('/console/join-requests/:id/decline', async (c) => {
      const reason = (await formFields(c)).reason?.trim().slice(0, 1000) || null;
      const actor = apiKeyActor(c.var.session, 'console');
      try {
        await invitations.declineJoinRequest(c.var.session.tenantId, c.req.param('id'), reason, actor);
      } catch (error) {
        return refused(c, 'Not declined', error);
      }
      return c.redirect('/console/join-requests?notice=declined', 303);
    });
}
