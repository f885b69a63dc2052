import type { DeleteQueryNode, KyselyPlugin, TableNode } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openStore } from '#db';
import type { DeliveryAttemptRow, DidcommHeldMessageRow, MailboxRow, OutboxRow } from '#db';
import { newId } from '#common/ids';
import { createMetrics } from '#observability';
import { createRetention } from '../src/retention';
import { startUsher, stopAllUshers } from '#support/process';
import { createScratchDatabase, describeEachStore } from '#support/stores';
import { useTestUsher } from '#support/usher';

const DAY = 24 * 60 * 60 * 1000;

describeEachStore('retention', (engine) => {
  const usher = useTestUsher(engine);
  const ago = (days: number) => new Date(usher.clock.now().getTime() - days * DAY).toISOString();
  const tenantId = () => usher.tenant.tenant.id;

  function outboxRow(
    status: string,
    at: { next: string; done: string | null },
    extra: Partial<OutboxRow> = {},
  ): OutboxRow {
    return {
      id: newId(),
      tenant_id: tenantId(),
      topic: 'webhook',
      invitation_id: null,
      endpoint_id: null,
      payload: '{}',
      status,
      attempts: 1,
      next_attempt_at: at.next,
      claimed_by: null,
      claimed_until: null,
      last_error: null,
      created_at: at.next,
      updated_at: at.done ?? at.next,
      done_at: at.done,
      ...extra,
    };
  }
  const attemptOf = (row: OutboxRow, attempt: number): DeliveryAttemptRow => ({
    id: newId(),
    outbox_id: row.id,
    tenant_id: row.tenant_id,
    attempt,
    started_at: row.next_attempt_at,
    finished_at: row.next_attempt_at,
    outcome: 'sent',
    response_code: 200,
    response: null,
    error: null,
  });
  const mail = (createdAt: string): MailboxRow => ({
    id: newId(),
    tenant_id: tenantId(),
    outbox_id: null,
    message_id: `<${newId()}@usher.test>`,
    from_address: 'no-reply@usher.test',
    to_address: 'someone@example.com',
    subject: 'Hello',
    text_body: 'Hello',
    html_body: '<p>Hello</p>',
    created_at: createdAt,
  });
  const held = (createdAt: string): DidcommHeldMessageRow => ({
    id: newId(),
    tenant_id: tenantId(),
    connection_id: null,
    invitation_id: null,
    recipient_key: 'verkey',
    awaiting_key: null,
    endpoint: null,
    thread_id: 'thread',
    message_type: 'https://didcomm.org/trust_ping/1.0/ping',
    envelope: '{}',
    created_at: createdAt,
  });
  const ids = async (table: 'outbox' | 'delivery_attempts' | 'mailbox' | 'didcomm_held_messages') =>
    new Set((await usher.store.db.selectFrom(table).select('id').execute()).map((row) => row.id));
  const clear = async () => {
    const db = usher.store.db;
    await db.deleteFrom('delivery_attempts').execute();
    await db.deleteFrom('outbox').execute();
    await db.deleteFrom('mailbox').execute();
    await db.deleteFrom('didcomm_held_messages').execute();
  };

  it('deletes what finished before the age, with its attempts, and keeps young and unfinished rows', async () => {
    await clear();
    const old = { next: ago(40), done: ago(40) };
    const gone = [outboxRow('sent', old), outboxRow('failed', old), outboxRow('skipped', old)];
    const kept = [
      outboxRow('sent', { next: ago(10), done: ago(10) }),
      outboxRow('pending', { next: ago(40), done: null }),
      outboxRow('sending', { next: ago(40), done: null }, { claimed_by: 'worker', claimed_until: ago(39) }),
      // Created long ago, retried by hand and failed again lately: its age is its end's.
      outboxRow('failed', { next: ago(40), done: ago(2) }),
      // Cancelled long ago before its slot, which is still ahead: pruned once the slot is as old.
      outboxRow('skipped', { next: new Date(usher.clock.now().getTime() + DAY).toISOString(), done: ago(40) }),
    ];
    const db = usher.store.db;
    await db
      .insertInto('outbox')
      .values([...gone, ...kept])
      .execute();
    const attempts = [
      attemptOf(gone[0]!, 1),
      attemptOf(gone[1]!, 1),
      attemptOf(gone[1]!, 2),
      attemptOf(kept[0]!, 1),
      attemptOf(kept[3]!, 1),
    ];
    await db.insertInto('delivery_attempts').values(attempts).execute();
    const youngMail = mail(ago(29));
    await db
      .insertInto('mailbox')
      .values([mail(ago(31)), youngMail])
      .execute();
    const youngHeld = held(ago(29));
    // Old either way: one for an agent that never came back, one for a mediator that never confirmed our key.
    const awaiting = { ...held(ago(31)), awaiting_key: 'ours', endpoint: 'https://agent.example/' };
    await db
      .insertInto('didcomm_held_messages')
      .values([held(ago(31)), awaiting, youngHeld])
      .execute();

    expect(await usher.pruneRetained(usher.clock.now(), 0)).toEqual({});
    expect((await ids('outbox')).size).toBe(8);

    expect(await usher.pruneRetained(usher.clock.now(), 30)).toEqual({
      outbox: 3,
      delivery_attempts: 3,
      mailbox: 1,
      didcomm_held_messages: 2,
    });
    expect(await ids('outbox')).toEqual(new Set(kept.map((row) => row.id)));
    expect((await ids('delivery_attempts')).size).toBe(2);
    expect(await ids('mailbox')).toEqual(new Set([youngMail.id]));
    expect(await ids('didcomm_held_messages')).toEqual(new Set([youngHeld.id]));

    const metrics = String((await usher.request('GET', '/metrics', { key: null })).body);
    expect(metrics).toMatch(/usher_retention_pruned_rows_total\{table="outbox"\} 3/);
    expect(metrics).toMatch(/usher_retention_pruned_rows_total\{table="delivery_attempts"\} 3/);
    expect(metrics).toMatch(/usher_retention_pruned_rows_total\{table="mailbox"\} 1/);
    expect(metrics).toMatch(/usher_retention_pruned_rows_total\{table="didcomm_held_messages"\} 2/);
  });

  it('deletes in bounded batches: 1,050 rows a table with batches of 500 take three deletes each', async () => {
    await clear();
    const db = usher.store.db;
    const rows = Array.from({ length: 1050 }, () => outboxRow('sent', { next: ago(40), done: ago(40) }));
    for (let i = 0; i < rows.length; i += 350) {
      const chunk = rows.slice(i, i + 350);
      await db.insertInto('outbox').values(chunk).execute();
      await db
        .insertInto('delivery_attempts')
        .values(chunk.map((row) => attemptOf(row, 1)))
        .execute();
      await db
        .insertInto('mailbox')
        .values(chunk.map(() => mail(ago(40))))
        .execute();
      await db
        .insertInto('didcomm_held_messages')
        .values(chunk.map(() => held(ago(40))))
        .execute();
    }
    const deletes: Record<string, number[]> = {};
    const counting: KyselyPlugin = {
      transformQuery({ node }) {
        if (node.kind === 'DeleteQueryNode') {
          const table = ((node as DeleteQueryNode).from.froms[0] as TableNode).table.identifier.name;
          (deletes[table] ??= []).push(0);
        }
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    const metrics = createMetrics(db, usher.clock);
    const prune = createRetention({ db: db.withPlugin(counting), engine, metrics });

    const pruned = await prune(usher.clock.now(), 30, { batchSize: 500 });
    expect(pruned).toEqual({ outbox: 1050, delivery_attempts: 1050, mailbox: 1050, didcomm_held_messages: 1050 });
    const statements = Object.fromEntries(Object.entries(deletes).map(([table, runs]) => [table, runs.length]));
    expect(statements).toEqual({ delivery_attempts: 3, outbox: 3, mailbox: 3, didcomm_held_messages: 3 });
    expect((await ids('outbox')).size + (await ids('mailbox')).size + (await ids('didcomm_held_messages')).size).toBe(
      0,
    );
    expect(await metrics.registry.getSingleMetricAsString('usher_retention_pruned_rows_total')).toMatch(
      /\{table="delivery_attempts"\} 1050/,
    );
  });

  it('stops after maxBatches and leaves the rest for the next run', async () => {
    await clear();
    await usher.store.db
      .insertInto('mailbox')
      .values(Array.from({ length: 25 }, () => mail(ago(40))))
      .execute();
    expect(await usher.pruneRetained(usher.clock.now(), 30, { batchSize: 10, maxBatches: 2 })).toMatchObject({
      mailbox: 20,
    });
    expect((await ids('mailbox')).size).toBe(5);
  });

  it('answers an old invitation after its deliveries are pruned, with no delivery on record', async () => {
    await clear();
    const expiresAt = new Date(usher.clock.now().getTime() + 90 * DAY).toISOString();
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'old@example.com' }, expiresAt },
    });
    expect(created.status).toBe(201);
    await usher.worker.runOnce();
    const before = await usher.request('GET', `/v1/invitations/${created.body.id}`);
    expect(before.body.delivery).toMatchObject({ email: { state: 'sent' } });

    usher.clock.advance(31 * DAY);
    expect(await usher.pruneRetained(usher.clock.now(), 30)).toMatchObject({
      outbox: 1,
      delivery_attempts: 1,
      mailbox: 1,
    });
    const after = await usher.request('GET', `/v1/invitations/${created.body.id}`);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ id: created.body.id, status: 'pending', delivery: {} });
    const deliveries = await usher.request('GET', `/v1/invitations/${created.body.id}/deliveries`);
    expect(deliveries).toMatchObject({ status: 200, body: { summary: {}, data: [] } });
  });
});

describe('retention in a running server', () => {
  afterAll(stopAllUshers);

  it("prunes on the sweep's beat, after USHER_RETENTION_DAYS", async () => {
    const scratch = await createScratchDatabase('sqlite');
    try {
      const store = openStore(scratch.url);
      await migrateToLatest(store.db);
      const at = (days: number) => new Date(Date.now() - days * DAY).toISOString();
      const message = (createdAt: string, n: number) => ({
        id: newId(),
        tenant_id: 't',
        outbox_id: null,
        message_id: `<${n}@usher.test>`,
        from_address: 'a@usher.test',
        to_address: 'b@example.com',
        subject: 's',
        text_body: 't',
        html_body: 'h',
        created_at: createdAt,
      });
      await store.db
        .insertInto('mailbox')
        .values([message(at(8), 1), message(at(8), 2), message(at(6), 3)])
        .execute();
      await store.close();

      const usher = await startUsher({
        databaseUrl: scratch.url,
        env: { USHER_SWEEP_INTERVAL_MS: '1000', USHER_RETENTION_DAYS: '7' },
      });
      const deadline = Date.now() + 15_000;
      let metrics = '';
      while (!/usher_retention_pruned_rows_total\{table="mailbox"\} 2/.test(metrics) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        metrics = await (await fetch(`${usher.url}/metrics`)).text();
      }
      expect(metrics).toMatch(/usher_retention_pruned_rows_total\{table="mailbox"\} 2/);
      await usher.stop();
      const after = openStore(scratch.url);
      expect(await after.db.selectFrom('mailbox').select('message_id').execute()).toEqual([
        { message_id: '<3@usher.test>' },
      ]);
      await after.close();
    } finally {
      await scratch.drop();
    }
  });
});
