/** Status sentences the demo shell shows, kept pure so their punctuation is unit tested. */

export interface ReadySummary {
  backend: 'webgpu' | 'wasm';
  threads: number;
  fallbackReason: string | null;
  threadsNote: string | null;
}

/** Join clauses into one sentence with exactly one full stop, whatever the clauses end with. */
export function sentence(...clauses: (string | null | undefined)[]): string {
  const parts = clauses.map((clause) => clause?.trim().replace(/[.\s]+$/, '')).filter((clause): clause is string => !!clause);
  return parts.length === 0 ? '' : `${parts.join(' — ')}.`;
}

/** "Done on WASM (1 thread) — WebGPU unavailable (…); using WASM." */
export function doneSentence(ready: ReadySummary): string {
  const where = ready.backend === 'webgpu' ? 'WebGPU' : `WASM (${ready.threads} thread${ready.threads === 1 ? '' : 's'})`;
  return sentence(`Done on ${where}`, ready.fallbackReason, ready.threadsNote);
}

/** Whole megabytes for a button label, one decimal below 10 MB. */
export function formatMegabytes(bytes: number): string {
  const mb = bytes / 1e6;
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}
