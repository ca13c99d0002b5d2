/**
 * No model or weight files in git. Models are installed by `npm run models` into public/models
 * (git-ignored) from R2P_MODEL_MIRROR or their pinned upstream URLs; the repository only holds
 * their catalog entries. This check looks at the files git tracks (`git ls-files`, which
 * includes staged files) for weight-file extensions and for anything over the size limit.
 */

/** Extensions of model, weight and tensor files (lower case, with the dot). */
export const MODEL_FILE_EXTENSIONS: readonly string[] = [
  '.onnx',
  '.ort',
  '.pb',
  '.pt',
  '.pth',
  '.h5',
  '.npy',
  '.npz',
  '.bin',
  '.tflite',
  '.safetensors',
  '.ckpt',
  '.caffemodel',
  '.gguf',
];

/** Largest file accepted in git: 5 MB. */
export const MAX_FILE_BYTES = 5_000_000;

/** Folders whose contents are installed, never committed. */
export const INSTALLED_FOLDERS: readonly string[] = ['public/models/', 'public/ort/'];

export interface TrackedFile {
  /** Path relative to the repository root, "/" separators. */
  path: string;
  /** Size in bytes, or null when the file is gone from the working tree. */
  bytes: number | null;
}

export interface FileProblem {
  path: string;
  message: string;
}

export interface CommittedFilesOptions {
  maxBytes?: number;
  extensions?: readonly string[];
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** The extension of a path, lower case with the dot, or "". */
export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

/** Split the output of `git ls-files -z`. */
export function parseGitFileList(output: string): string[] {
  return output.split('\0').filter(Boolean);
}

/** Tracked files that must not be in git. */
export function checkCommittedFiles(files: readonly TrackedFile[], options: CommittedFilesOptions = {}): FileProblem[] {
  const maxBytes = options.maxBytes ?? MAX_FILE_BYTES;
  const extensions = new Set(options.extensions ?? MODEL_FILE_EXTENSIONS);
  const problems: FileProblem[] = [];
  for (const { path, bytes } of files) {
    const reasons: string[] = [];
    const extension = extensionOf(path);
    if (extensions.has(extension)) reasons.push(`a model or weight file (${extension})`);
    const folder = INSTALLED_FOLDERS.find((prefix) => path.startsWith(prefix));
    if (folder) reasons.push(`in ${folder}, which npm run models and the build fill`);
    if (bytes !== null && bytes > maxBytes) reasons.push(`${megabytes(bytes)}, over the ${megabytes(maxBytes)} limit`);
    if (reasons.length > 0) {
      problems.push({
        path,
        message: `${reasons.join('; ')}: remove it from git (git rm --cached "${path}"); models belong in the catalog (src/models/catalog.ts) and are installed by npm run models`,
      });
    }
  }
  return problems;
}

export function formatFileProblems(problems: readonly FileProblem[]): string[] {
  return problems.map((problem) => `${problem.path}: ${problem.message}`);
}
