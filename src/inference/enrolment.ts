/**
 * The enrolment store: people a visitor has enrolled (a name and one or more face embeddings)
 * so a demo can say who is in front of the camera. Embeddings stay on the visitor's device, in
 * IndexedDB (database "r2p-enrolment"); nothing here sends them anywhere.
 *
 * Every identity records the model that produced its embeddings, and the store only ever
 * compares embeddings of one model: a 128-d dlib descriptor and a 512-d FaceNet embedding live
 * side by side without meeting. The logic (EnrolmentStore) is pure and sits over a small
 * storage interface with two implementations: in memory (tests, private browsing fallback) and
 * IndexedDB through `idb`.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ModelEntry } from '../models/catalog.ts';
import { nearestIdentity, type Embedding, type IdentityMatch } from './math/embedding.ts';

/** One enrolled person, for one model. */
export interface EnrolledIdentity {
  id: string;
  name: string;
  /** Catalog id of the model whose embeddings these are. */
  modelId: string;
  /** Length of every embedding. */
  dimension: number;
  embeddings: Float32Array[];
  createdAt: number;
  updatedAt: number;
}

/** What the store needs to know about the embedding model. */
export interface EmbeddingModelInfo {
  id: string;
  /** Embedding length. */
  dimension: number;
  /** Same person when distance < threshold. */
  threshold: number;
}

/** Model info from a catalog face embedder: output length and verification threshold. */
export function embeddingModelInfo(entry: ModelEntry): EmbeddingModelInfo {
  const shape = entry.outputs[0]?.shape;
  const dimension = shape?.[shape.length - 1];
  if (entry.task !== 'face-embedding' || typeof dimension !== 'number' || !entry.verification) {
    throw new Error(`Model "${entry.id}" is not a face embedder with a fixed embedding size and a verification rule.`);
  }
  return { id: entry.id, dimension, threshold: entry.verification.threshold };
}

/** Persistence the store runs on. Implementations store copies (structured clone semantics). */
export interface EnrolmentStorage {
  get(id: string): Promise<EnrolledIdentity | undefined>;
  /** All identities, or those of one model. */
  list(modelId?: string): Promise<EnrolledIdentity[]>;
  put(identity: EnrolledIdentity): Promise<void>;
  delete(id: string): Promise<void>;
  clear(): Promise<void>;
  close(): void;
}

/** Thrown for invalid enrolment input; `code` says which rule was broken. */
export class EnrolmentError extends Error {
  readonly code: 'empty-name' | 'no-embeddings' | 'embedding-length' | 'embedding-values' | 'model-mismatch' | 'not-found';
  constructor(code: EnrolmentError['code'], message: string) {
    super(message);
    this.name = 'EnrolmentError';
    this.code = code;
  }
}

function cloneIdentity(identity: EnrolledIdentity): EnrolledIdentity {
  return { ...identity, embeddings: identity.embeddings.map((e) => e.slice()) };
}

function byCreation(a: EnrolledIdentity, b: EnrolledIdentity): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Storage in a Map: for tests, and where IndexedDB is unavailable. */
export function createMemoryStorage(): EnrolmentStorage {
  const records = new Map<string, EnrolledIdentity>();
  return {
    async get(id) {
      const found = records.get(id);
      return found ? cloneIdentity(found) : undefined;
    },
    async list(modelId) {
      const all = [...records.values()].filter((r) => modelId === undefined || r.modelId === modelId);
      return all.sort(byCreation).map(cloneIdentity);
    },
    async put(identity) {
      records.set(identity.id, cloneIdentity(identity));
    },
    async delete(id) {
      records.delete(id);
    },
    async clear() {
      records.clear();
    },
    close() {},
  };
}

/** The IndexedDB database name. */
export const ENROLMENT_DB = 'r2p-enrolment';
const STORE = 'identities';

interface EnrolmentDb extends DBSchema {
  identities: { key: string; value: EnrolledIdentity; indexes: { modelId: string } };
}

/** Storage in IndexedDB (database "r2p-enrolment", object store "identities"). */
export async function openIndexedDbStorage(name: string = ENROLMENT_DB): Promise<EnrolmentStorage> {
  const db: IDBPDatabase<EnrolmentDb> = await openDB<EnrolmentDb>(name, 1, {
    upgrade(database) {
      const store = database.createObjectStore(STORE, { keyPath: 'id' });
      store.createIndex('modelId', 'modelId');
    },
  });
  return {
    get: (id) => db.get(STORE, id),
    async list(modelId) {
      const all = modelId === undefined ? await db.getAll(STORE) : await db.getAllFromIndex(STORE, 'modelId', modelId);
      return all.sort(byCreation);
    },
    async put(identity) {
      await db.put(STORE, identity);
    },
    delete: (id) => db.delete(STORE, id),
    clear: () => db.clear(STORE),
    close: () => db.close(),
  };
}

function randomId(): string {
  const bytes = new Uint8Array(16);
  // getRandomValues works outside secure contexts too (randomUUID does not).
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface EnrolmentStoreOptions {
  now?: () => number;
  newId?: () => string;
}

/** A face identified against the store. */
export type Identification = IdentityMatch & { identityId: string | null };

/**
 * Enrolment logic over any storage. Identities of one model are cached in memory after the first
 * read, so identify() per webcam frame costs only the distance computations.
 */
export class EnrolmentStore {
  readonly storage: EnrolmentStorage;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly cache = new Map<string, Promise<EnrolledIdentity[]>>();

  constructor(storage: EnrolmentStorage, options: EnrolmentStoreOptions = {}) {
    this.storage = storage;
    this.now = options.now ?? (() => Date.now());
    this.newId = options.newId ?? randomId;
  }

  /**
   * Enrol `name` with one or more embeddings from `model`. If this model already has an
   * identity of that name (compared trimmed, case-insensitively), the embeddings are added to it;
   * otherwise a new identity is created. Returns the stored identity.
   */
  async enrol(name: string, embeddings: Embedding | readonly Embedding[], model: EmbeddingModelInfo): Promise<EnrolledIdentity> {
    const clean = normaliseName(name);
    const vectors = checkEmbeddings(embeddings, model);
    const existing = (await this.identities(model.id)).find((i) => sameName(i.name, clean));
    const time = this.now();
    const identity: EnrolledIdentity = existing
      ? { ...existing, embeddings: [...existing.embeddings, ...vectors], updatedAt: time }
      : {
          id: this.newId(),
          name: clean,
          modelId: model.id,
          dimension: model.dimension,
          embeddings: vectors,
          createdAt: time,
          updatedAt: time,
        };
    await this.write(identity);
    return cloneIdentity(identity);
  }

  /** Add embeddings to an existing identity; the model must be the one it was enrolled with. */
  async addEmbeddings(
    identityId: string,
    embeddings: Embedding | readonly Embedding[],
    model: EmbeddingModelInfo,
  ): Promise<EnrolledIdentity> {
    const existing = await this.storage.get(identityId);
    if (!existing) throw new EnrolmentError('not-found', `No enrolled identity has id "${identityId}".`);
    checkModel(existing, model);
    const vectors = checkEmbeddings(embeddings, model);
    const identity = { ...existing, embeddings: [...existing.embeddings, ...vectors], updatedAt: this.now() };
    await this.write(identity);
    return cloneIdentity(identity);
  }

  /** Rename an identity (the new name must not be empty). */
  async rename(identityId: string, name: string): Promise<EnrolledIdentity> {
    const clean = normaliseName(name);
    const existing = await this.storage.get(identityId);
    if (!existing) throw new EnrolmentError('not-found', `No enrolled identity has id "${identityId}".`);
    const identity = { ...existing, name: clean, updatedAt: this.now() };
    await this.write(identity);
    return cloneIdentity(identity);
  }

  /** Every identity, or those of one model, oldest first. */
  async list(modelId?: string): Promise<EnrolledIdentity[]> {
    if (modelId === undefined) return this.storage.list();
    return (await this.identities(modelId)).map(cloneIdentity);
  }

  /** Delete one identity; returns whether it existed. */
  async delete(identityId: string): Promise<boolean> {
    const existing = await this.storage.get(identityId);
    if (!existing) return false;
    await this.storage.delete(identityId);
    this.cache.delete(existing.modelId);
    return true;
  }

  /** Delete every identity (all models). */
  async clear(): Promise<void> {
    await this.storage.clear();
    this.cache.clear();
  }

  /**
   * The nearest identity enrolled with `model` to `query`, or "unknown" unless its distance is
   * below the model's threshold (or `threshold` when given). Other models' identities are
   * never compared.
   */
  async identify(query: Embedding, model: EmbeddingModelInfo, threshold: number = model.threshold): Promise<Identification> {
    checkVector(query, model, 'The query embedding');
    const gallery = await this.identities(model.id);
    const match = nearestIdentity(query, gallery, threshold);
    return { ...match, identityId: match.index >= 0 ? gallery[match.index]!.id : null };
  }

  private identities(modelId: string): Promise<EnrolledIdentity[]> {
    let pending = this.cache.get(modelId);
    if (!pending) {
      pending = this.storage.list(modelId);
      this.cache.set(modelId, pending);
      pending.catch(() => this.cache.delete(modelId));
    }
    return pending;
  }

  private async write(identity: EnrolledIdentity): Promise<void> {
    this.cache.delete(identity.modelId);
    try {
      await this.storage.put(identity);
    } finally {
      this.cache.delete(identity.modelId);
    }
  }
}

function normaliseName(name: string): string {
  const clean = typeof name === 'string' ? name.trim().replace(/\s+/g, ' ') : '';
  if (clean.length === 0) throw new EnrolmentError('empty-name', 'An enrolled identity needs a name; the name given is empty.');
  return clean;
}

function sameName(a: string, b: string): boolean {
  return a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;
}

function checkModel(identity: EnrolledIdentity, model: EmbeddingModelInfo): void {
  if (identity.modelId !== model.id) {
    throw new EnrolmentError(
      'model-mismatch',
      `"${identity.name}" was enrolled with model "${identity.modelId}"; embeddings from "${model.id}" cannot be mixed with it. Enrol again with "${model.id}".`,
    );
  }
}

function checkVector(v: Embedding, model: EmbeddingModelInfo, what: string): void {
  if (v.length !== model.dimension) {
    throw new EnrolmentError(
      'embedding-length',
      `${what} has ${v.length} values; model "${model.id}" produces ${model.dimension}. Was it computed with another model?`,
    );
  }
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) throw new EnrolmentError('embedding-values', `${what} contains a non-finite value at index ${i}.`);
  }
}

function isEmbeddingList(value: Embedding | readonly Embedding[]): value is readonly Embedding[] {
  return Array.isArray(value) && (value.length === 0 || typeof value[0] !== 'number');
}

function checkEmbeddings(embeddings: Embedding | readonly Embedding[], model: EmbeddingModelInfo): Float32Array[] {
  const list = isEmbeddingList(embeddings) ? embeddings : [embeddings as Embedding];
  if (list.length === 0) throw new EnrolmentError('no-embeddings', 'Enrolment needs at least one embedding.');
  return list.map((v, i) => {
    checkVector(v, model, list.length > 1 ? `Embedding ${i + 1} of ${list.length}` : 'The embedding');
    return Float32Array.from(v);
  });
}
