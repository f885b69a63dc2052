/**
 * Usher's own ActivityPub objects, served as they were sent: no Fedify needed, so they are answered without loading it.
 */
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '#db';
import { problemResponse } from '#http/problem';
import { AS_CONTEXT } from './activities';
import type { ApUris } from './uris';

const AS_TYPE = 'application/activity+json';

/** Our Invites and target objects, as ActivityStreams JSON. */
export function createApObjectRoutes(options: { readonly db: Kysely<Database>; readonly uris: ApUris }) {
  const { db, uris } = options;
  const activity = (body: unknown) =>
    new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': AS_TYPE } });
  return new Hono()
    .get('/ap/invites/:id', async (c) => {
      const row = await db
        .selectFrom('ap_activities')
        .select('payload')
        .where('direction', '=', 'out')
        .where('type', '=', 'Invite')
        .where('activity_id', '=', uris.invite(c.req.param('id')))
        .executeTakeFirst();
      return row
        ? activity(JSON.parse(row.payload))
        : problemResponse({ title: 'No such object', status: 404, code: 'not_found' });
    })
    .get('/ap/targets/:id', async (c) => {
      const target = await db
        .selectFrom('ap_targets')
        .innerJoin('identities', 'identities.id', 'ap_targets.identity_id')
        .select(['ap_targets.id', 'ap_targets.type', 'ap_targets.iri', 'ap_targets.name', 'identities.handle'])
        .where('ap_targets.id', '=', c.req.param('id'))
        .executeTakeFirst();
      if (!target) return problemResponse({ title: 'No such object', status: 404, code: 'not_found' });
      return activity({
        '@context': AS_CONTEXT,
        id: uris.target(target.id),
        // ActivityStreams has Event and Group; a project is a plain Object, as ForgeFed's Project extends it.
        type: target.type === 'event' ? 'Event' : target.type === 'group' ? 'Group' : 'Object',
        name: target.name,
        ...(target.iri ? { url: target.iri } : {}),
        attributedTo: uris.actor(target.handle),
      });
    });
}
