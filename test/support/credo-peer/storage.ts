/**
 * An in-memory Credo StorageService for the test peer (Credo 0.6 publishes none; its real ones
 * are Askar, which cannot be installed here, and Drizzle). Records are kept as JSON, as a real
 * store would, so every read deserialises a fresh instance. Tag queries follow the semantics of
 * Credo's Askar store: an undefined or null value puts no constraint, an array value needs every
 * listed item, $and / $or / $not combine sub-queries.
 */
import {
  JsonTransformer,
  RecordDuplicateError,
  RecordNotFoundError,
  type AgentContext,
  type BaseRecord,
  type BaseRecordConstructor,
  type Query,
  type QueryOptions,
  type StorageService,
} from '@credo-ts/core';

type Tags = Record<string, unknown>;

interface Stored {
  readonly type: string;
  readonly value: Record<string, unknown>;
  readonly tags: Tags;
}

// Credo's own StorageService signature is generic over any record.
type AnyRecord = BaseRecord<any, any, any>;

export class InMemoryStorageService<T extends AnyRecord = AnyRecord> implements StorageService<T> {
  public readonly supportsCursorPagination = false;
  /** One map per agent context (tenant), keyed by `${type}:${id}`. */
  readonly #contexts = new Map<string, Map<string, Stored>>();

  public async save(agentContext: AgentContext, record: T): Promise<void> {
    const store = this.store(agentContext);
    const key = `${record.type}:${record.id}`;
    if (store.has(key))
      throw new RecordDuplicateError(`Record with id ${record.id} already exists`, { recordType: record.type });
    record.updatedAt = new Date();
    store.set(key, this.toStored(record));
  }

  public async update(agentContext: AgentContext, record: T): Promise<void> {
    const store = this.store(agentContext);
    const key = `${record.type}:${record.id}`;
    if (!store.has(key))
      throw new RecordNotFoundError(`record with id ${record.id} not found.`, { recordType: record.type });
    record.updatedAt = new Date();
    store.set(key, this.toStored(record));
  }

  public async delete(agentContext: AgentContext, record: T): Promise<void> {
    if (!this.store(agentContext).delete(`${record.type}:${record.id}`)) {
      throw new RecordNotFoundError(`record with id ${record.id} not found.`, { recordType: record.type });
    }
  }

  public async deleteById(
    agentContext: AgentContext,
    recordClass: BaseRecordConstructor<T>,
    id: string,
  ): Promise<void> {
    if (!this.store(agentContext).delete(`${recordClass.type}:${id}`)) {
      throw new RecordNotFoundError(`record with id ${id} not found.`, { recordType: recordClass.type });
    }
  }

  public async getById(agentContext: AgentContext, recordClass: BaseRecordConstructor<T>, id: string): Promise<T> {
    const stored = this.store(agentContext).get(`${recordClass.type}:${id}`);
    if (!stored) throw new RecordNotFoundError(`record with id ${id} not found.`, { recordType: recordClass.type });
    return this.toInstance(stored, recordClass);
  }

  public async getAll(agentContext: AgentContext, recordClass: BaseRecordConstructor<T>): Promise<T[]> {
    return [...this.store(agentContext).values()]
      .filter((stored) => stored.type === recordClass.type)
      .map((stored) => this.toInstance(stored, recordClass));
  }

  public async findByQuery(
    agentContext: AgentContext,
    recordClass: BaseRecordConstructor<T>,
    query: Query<T>,
    queryOptions?: QueryOptions,
  ): Promise<T[]> {
    const matches = [...this.store(agentContext).values()].filter(
      (stored) => stored.type === recordClass.type && matchesQuery(stored.tags, query as QueryShape),
    );
    const offset = queryOptions?.offset ?? 0;
    const end = queryOptions?.limit === undefined ? undefined : offset + queryOptions.limit;
    return matches.slice(offset, end).map((stored) => this.toInstance(stored, recordClass));
  }

  private store(agentContext: AgentContext): Map<string, Stored> {
    let store = this.#contexts.get(agentContext.contextCorrelationId);
    if (!store) {
      store = new Map();
      this.#contexts.set(agentContext.contextCorrelationId, store);
    }
    return store;
  }

  private toStored(record: T): Stored {
    const value = JsonTransformer.toJSON(record) as Record<string, unknown>;
    return { type: record.type, value, tags: structuredClone(record.getTags() as Tags) };
  }

  private toInstance(stored: Stored, recordClass: BaseRecordConstructor<T>): T {
    const instance = JsonTransformer.fromJSON(structuredClone(stored.value), recordClass) as T;
    instance.replaceTags(structuredClone(stored.tags) as never);
    return instance;
  }
}

interface QueryShape {
  $and?: QueryShape[];
  $or?: QueryShape[];
  $not?: QueryShape;
  [tag: string]: unknown;
}

function matchesQuery(tags: Tags, query: QueryShape): boolean {
  const { $and, $or, $not, ...simple } = query;
  if ($and && !$and.every((sub) => matchesQuery(tags, sub))) return false;
  if ($or && $or.length > 0 && !$or.some((sub) => matchesQuery(tags, sub))) return false;
  if ($not && matchesQuery(tags, $not)) return false;
  for (const [name, wanted] of Object.entries(simple)) {
    if (wanted === undefined || wanted === null) continue;
    const actual = tags[name];
    if (Array.isArray(wanted)) {
      if (!Array.isArray(actual) || !wanted.every((item) => actual.includes(item))) return false;
    } else if (actual !== wanted) {
      return false;
    }
  }
  return true;
}
