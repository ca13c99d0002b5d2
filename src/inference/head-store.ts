/**
 * Where a trained head is kept: one head per features model, as the same JSON object the reader
 * can export (math/head-file.ts), in IndexedDB (database "r2p-teach"). The examples' images are
 * never stored or sent anywhere; only the head's numbers are kept, and the page deletes them on
 * request. Falls back to memory where IndexedDB is unavailable (private browsing).
 */
import { openDB, type DBSchema } from 'idb';
import type { HeadFile } from './math/head-file.ts';

export interface HeadStorage {
  get(modelId: string): Promise<HeadFile | undefined>;
  put(file: HeadFile): Promise<void>;
  delete(modelId: string): Promise<void>;
}

export const HEAD_DB = 'r2p-teach';
const STORE = 'heads';

interface HeadDb extends DBSchema {
  heads: { key: string; value: HeadFile };
}

export function createMemoryHeadStorage(): HeadStorage {
  const heads = new Map<string, HeadFile>();
  return {
    get: async (modelId) => heads.get(modelId),
    put: async (file) => void heads.set(file.modelId, file),
    delete: async (modelId) => void heads.delete(modelId),
  };
}

export async function openHeadStorage(): Promise<HeadStorage> {
  try {
    const db = await openDB<HeadDb>(HEAD_DB, 1, {
      upgrade(database) {
        database.createObjectStore(STORE, { keyPath: 'modelId' });
      },
    });
    return {
      get: (modelId) => db.get(STORE, modelId),
      put: async (file) => void (await db.put(STORE, file)),
      delete: (modelId) => db.delete(STORE, modelId),
    };
  } catch {
    return createMemoryHeadStorage();
  }
}
