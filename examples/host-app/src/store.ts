import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** A person of this app. */
export interface User {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

/** A user and their role on the team, or null when they are not on it. */
export interface SignedInUser extends User {
  readonly role: string | null;
}

/** A member as the team page lists them. */
export interface Member extends User {
  readonly role: string;
  readonly joinedAt: string;
}

/** A verified webhook, as the team page lists it. */
export interface ReceivedEvent {
  readonly type: string;
  readonly summary: string;
  readonly receivedAt: string;
}

/** What an acceptance token admits: who, with which role, by which token (`jti`) and invitation. */
export interface Admission {
  readonly jti: string;
  readonly invitationId: string;
  readonly email: string;
  readonly name: string;
  readonly role: string;
}

const SCHEMA = `
  create table if not exists users (
    id text primary key, name text not null, email text not null unique collate nocase, created_at text not null);
  create table if not exists members (
    user_id text primary key references users(id), role text not null, joined_at text not null);
  create table if not exists sessions (
    token_hash text primary key, user_id text not null references users(id), created_at text not null);
  create table if not exists used_acceptance_tokens (
    jti text primary key, invitation_id text not null, user_id text not null, used_at text not null);
  create table if not exists usher_webhook (url text primary key, endpoint_id text not null, secret text not null);
  create table if not exists webhook_events (
    webhook_id text primary key, type text not null, summary text not null, received_at text not null);
`;

const now = () => new Date().toISOString();
// Session cookies are secrets: only their hash is stored, so a copy of the file signs nobody in.
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** The app's own store: a SQLite file, created on first start. */
export type Store = ReturnType<typeof openStore>;

/** Opens (or creates) the SQLite file at `path` and returns the few operations the app needs. */
export function openStore(path: string) {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);

  const userByEmail = db.prepare<[string], User>('select id, name, email from users where email = ?');
  const insertUser = db.prepare('insert into users (id, name, email, created_at) values (?, ?, ?, ?)');
  // An invitation changes a member's role, but never the owner's: the team keeps its founder.
  const upsertMember = db.prepare(
    `insert into members (user_id, role, joined_at) values (?, ?, ?)
       on conflict (user_id) do update set role = excluded.role where members.role <> 'owner'`,
  );

  function findOrCreateUser(name: string, email: string): User {
    const found = userByEmail.get(email);
    if (found) return found;
    const user = { id: randomUUID(), name, email };
    insertUser.run(user.id, name, email, now());
    return user;
  }

  // A replayed jti breaks the primary key, which rolls back the whole admission.
  const admitOnce = db.transaction((admission: Admission): User => {
    const user = findOrCreateUser(admission.name, admission.email);
    db.prepare('insert into used_acceptance_tokens (jti, invitation_id, user_id, used_at) values (?, ?, ?, ?)').run(
      admission.jti,
      admission.invitationId,
      user.id,
      now(),
    );
    upsertMember.run(user.id, admission.role, now());
    return user;
  });

  return {
    /** "Sign in as": the user with this email, made if new; the very first user founds the team as its owner. */
    signIn: db.transaction((name: string, email: string): User => {
      const user = findOrCreateUser(name, email);
      const { count } = db.prepare<[], { count: number }>('select count(*) as count from members').get()!;
      if (count === 0) upsertMember.run(user.id, 'owner', now());
      return user;
    }),

    /**
     * Adds the invitee to the team with the invited role, once per acceptance token: the token's `jti` is
     * recorded in the same transaction, so a replayed token admits nobody. Returns null for a replay.
     */
    admit(admission: Admission): User | null {
      try {
        return admitOnce(admission);
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return null;
        throw error;
      }
    },

    /** Starts a session and returns the cookie's value. */
    createSession(userId: string): string {
      const token = randomBytes(32).toString('base64url');
      db.prepare('insert into sessions (token_hash, user_id, created_at) values (?, ?, ?)').run(
        hashOf(token),
        userId,
        now(),
      );
      return token;
    },

    /** The signed-in user of a session cookie, with their role on the team, or null. */
    sessionUser(token: string): SignedInUser | null {
      const row = db
        .prepare<[string], SignedInUser>(
          `select users.id, users.name, users.email, members.role from sessions
             join users on users.id = sessions.user_id left join members on members.user_id = users.id
           where sessions.token_hash = ?`,
        )
        .get(hashOf(token));
      return row ?? null;
    },

    /** Signs a session out. */
    endSession(token: string): void {
      db.prepare('delete from sessions where token_hash = ?').run(hashOf(token));
    },

    /** The team, owners first, then by when they joined. */
    members(): Member[] {
      return db
        .prepare<[], Member>(
          `select users.id, users.name, users.email, members.role, members.joined_at as joinedAt
             from members join users on users.id = members.user_id
           order by members.role = 'owner' desc, members.joined_at, users.email`,
        )
        .all();
    },

    /** The webhook endpoint this app registered at `url`, and its signing secret, if it has one. */
    webhook(url: string): { endpointId: string; secret: string } | null {
      const row = db
        .prepare<[string], { endpointId: string; secret: string }>(
          'select endpoint_id as endpointId, secret from usher_webhook where url = ?',
        )
        .get(url);
      return row ?? null;
    },

    /** Remembers the endpoint registered at `url` and its secret (Usher shows a secret only once). */
    saveWebhook(url: string, endpointId: string, secret: string): void {
      db.prepare(
        `insert into usher_webhook (url, endpoint_id, secret) values (?, ?, ?)
           on conflict (url) do update set endpoint_id = excluded.endpoint_id, secret = excluded.secret`,
      ).run(url, endpointId, secret);
    },

    /** Keeps a verified webhook once: Usher delivers at least once, with the same webhook-id on a retry. */
    recordEvent(webhookId: string, event: Omit<ReceivedEvent, 'receivedAt'>): void {
      db.prepare(
        `insert into webhook_events (webhook_id, type, summary, received_at) values (?, ?, ?, ?)
           on conflict do nothing`,
      ).run(webhookId, event.type, event.summary, now());
    },

    /** The last `limit` events, newest first. */
    recentEvents(limit = 10): ReceivedEvent[] {
      return db
        .prepare<[number], ReceivedEvent>(
          `select type, summary, received_at as receivedAt from webhook_events
           order by received_at desc, rowid desc limit ?`,
        )
        .all(limit);
    },

    close: () => db.close(),
  };
}
