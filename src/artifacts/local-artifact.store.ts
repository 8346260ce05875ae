import { randomUUID } from 'node:crypto';
import { constants, createWriteStream, type Dirent } from 'node:fs';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  ArtifactIsDirectoryError,
  ArtifactNotFoundError,
  ArtifactPathError,
  ArtifactStore,
  IncompleteUploadError,
  MultipartUnsupportedError,
  type ArtifactDownload,
  type ArtifactEntry,
  type MultipartUpload,
  type PresignedDownload,
} from './artifact.store';

/** Uploads are written here first, then renamed into place (same file system: atomic). */
export const STAGING_DIR = '.kiln-staging';
/** Staged files older than this are left-overs of a crash, removed at start. */
const STALE_STAGING_MS = 24 * 60 * 60 * 1000;
const READ_CHUNK = 256 * 1024;

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

function isMissing(err: unknown): boolean {
  return errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR';
}

/**
 * Artifacts in a local folder. Every key is resolved against the real path of the root: a
 * symlink on the way (planted by someone with shell access; Kiln never makes one) is followed
 * only if it stays inside the root. Keys starting with the staging folder are refused.
 */
export class LocalArtifactStore extends ArtifactStore {
  readonly supportsMultipart = false;
  readonly description: string;
  private readonly staging: string;
  private realRoot?: Promise<string>;

  constructor(private readonly root: string) {
    super();
    this.root = path.resolve(root);
    this.staging = path.join(this.root, STAGING_DIR);
    this.description = `local:${this.root}`;
  }

  /** Creates the root and staging folders once; clears staged files left by a crash. */
  private rootPath(): Promise<string> {
    this.realRoot ??= (async () => {
      await fs.mkdir(this.staging, { recursive: true });
      await this.removeStaleStaging();
      return fs.realpath(this.root);
    })().catch((err: unknown) => {
      this.realRoot = undefined;
      throw err;
    });
    return this.realRoot;
  }

  private async removeStaleStaging(): Promise<void> {
    const now = Date.now();
    for (const name of await fs.readdir(this.staging)) {
      const file = path.join(this.staging, name);
      const stat = await fs.lstat(file).catch(() => undefined);
      if (stat && now - stat.mtimeMs > STALE_STAGING_MS) await fs.rm(file, { force: true });
    }
  }

  private static inside(root: string, target: string): boolean {
    return target === root || target.startsWith(root + path.sep);
  }

  /**
   * The absolute location of `key` with every existing parent folder resolved to its real path
   * (inside the root, or ArtifactPathError). The last segment itself is not followed, so a
   * rename or removal acts on that name, not on what a symlink there points to.
   */
  private async locate(key: string): Promise<{ root: string; location: string }> {
    const root = await this.rootPath();
    const segments = key === '' ? [] : key.split('/');
    if (segments[0] === STAGING_DIR) throw new ArtifactPathError(key);
    if (segments.length === 0) return { root, location: root };
    let parent = root;
    for (const [i, segment] of segments.slice(0, -1).entries()) {
      const next = path.join(parent, segment);
      const stat = await fs.lstat(next).catch((err: unknown) => {
        if (isMissing(err)) return undefined;
        throw err;
      });
      if (!stat) {
        // Nothing further exists, so no symlink can be on the rest of the way.
        return { root, location: path.join(next, ...segments.slice(i + 1)) };
      }
      parent = stat.isSymbolicLink() ? await this.followInside(root, next) : next;
    }
    return { root, location: path.join(parent, segments[segments.length - 1]) };
  }

  /** The real path of a symlink, which must exist and stay inside the root. */
  private async followInside(root: string, link: string): Promise<string> {
    let real: string;
    try {
      real = await fs.realpath(link);
    } catch (err) {
      if (isMissing(err)) throw new ArtifactPathError(link); // dangling: refuse, do not create
      throw err;
    }
    if (!LocalArtifactStore.inside(root, real)) throw new ArtifactPathError(link);
    return real;
  }

  /** `locate`, then the last segment followed too when it is a symlink (for reads). */
  private async resolveForRead(key: string): Promise<string> {
    const { root, location } = await this.locate(key);
    const stat = await fs.lstat(location);
    return stat.isSymbolicLink() ? this.followInside(root, location) : location;
  }

  async put(key: string, body: Readable, size: number | undefined): Promise<void> {
    const { root, location } = await this.locate(key);
    if (location === root) throw new ArtifactIsDirectoryError(key);
    try {
      await fs.mkdir(path.dirname(location), { recursive: true });
    } catch (err) {
      if (errno(err) === 'EEXIST' || errno(err) === 'ENOTDIR') {
        throw new ArtifactIsDirectoryError(`a parent of '${key}' is a file`);
      }
      throw err;
    }
    const staged = path.join(this.staging, randomUUID());
    const out = createWriteStream(staged, { flags: 'wx', mode: 0o644 });
    try {
      await pipeline(body, out);
      if (size !== undefined && out.bytesWritten !== size) {
        throw new IncompleteUploadError(`received ${out.bytesWritten} of ${size} bytes`);
      }
      // On disk before it gets its name: a crash right after the 200 must not lose the file.
      const handle = await fs.open(staged, 'r+');
      await handle.datasync().finally(() => handle.close());
      await fs.rename(staged, location);
    } catch (err) {
      // A body that fails at once can fail before the stream has opened (created) its file;
      // wait for the stream to close, or the file would appear after it was removed.
      await new Promise<void>((resolve) => (out.closed ? resolve() : out.once('close', resolve)));
      await fs.rm(staged, { force: true });
      if (errno(err) === 'EISDIR' || errno(err) === 'ENOTEMPTY' || errno(err) === 'EEXIST') {
        throw new ArtifactIsDirectoryError(key);
      }
      throw err;
    }
  }

  async get(key: string): Promise<ArtifactDownload> {
    let file: string;
    try {
      file = await this.resolveForRead(key);
    } catch (err) {
      if (isMissing(err)) throw new ArtifactNotFoundError(key);
      throw err;
    }
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      if (isMissing(err)) throw new ArtifactNotFoundError(key);
      throw err;
    }
    const stat = await handle.stat().catch(async (err: unknown) => {
      await handle.close();
      throw err;
    });
    if (!stat.isFile()) {
      await handle.close();
      throw new ArtifactIsDirectoryError(key);
    }
    // The stream owns the handle from here: it closes it at the end, on error or when destroyed.
    return { stream: handle.createReadStream({ highWaterMark: READ_CHUNK }), size: stat.size };
  }

  async list(dir: string): Promise<ArtifactEntry[]> {
    let folder: string;
    let root: string;
    try {
      root = await this.rootPath();
      folder = await this.resolveForRead(dir);
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    let entries: Dirent[];
    try {
      entries = await fs.readdir(folder, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    const listed = await Promise.all(
      entries.map(async (entry): Promise<ArtifactEntry | undefined> => {
        if (folder === root && entry.name === STAGING_DIR) return undefined;
        let target = path.join(folder, entry.name);
        if (entry.isSymbolicLink()) {
          try {
            target = await this.followInside(root, target);
          } catch {
            return undefined; // a link out of the root or a dangling one is not an artifact
          }
        }
        const stat = await fs.stat(target).catch(() => undefined);
        if (!stat) return undefined;
        if (stat.isDirectory()) return { name: entry.name, isDir: true };
        if (stat.isFile()) return { name: entry.name, isDir: false, size: stat.size };
        return undefined;
      }),
    );
    return listed
      .filter((e): e is ArtifactEntry => e !== undefined)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    const { root, location } = await this.locate(key);
    if (location === root) throw new ArtifactPathError(key);
    // A path under a file (ENOTDIR) is as absent as a missing one, which `force` already ignores.
    await fs.rm(location, { recursive: true, force: true }).catch((err: unknown) => {
      if (!isMissing(err)) throw err;
    });
  }

  async deletePrefix(prefix: string): Promise<number> {
    const { root, location } = await this.locate(prefix);
    if (location === root) throw new ArtifactPathError(prefix);
    const stat = await fs.lstat(location).catch(() => undefined);
    if (!stat?.isDirectory()) return 0;
    const files = await countFiles(location);
    await fs.rm(location, { recursive: true, force: true });
    return files;
  }

  createMultipartUpload(): Promise<MultipartUpload> {
    return Promise.reject(new MultipartUnsupportedError());
  }

  completeMultipartUpload(): Promise<void> {
    return Promise.reject(new MultipartUnsupportedError());
  }

  abortMultipartUpload(): Promise<void> {
    return Promise.reject(new MultipartUnsupportedError());
  }

  presignDownload(): Promise<PresignedDownload> {
    return Promise.reject(new MultipartUnsupportedError());
  }

  async check(): Promise<void> {
    await fs.access(this.staging, constants.W_OK).catch(async () => {
      this.realRoot = undefined;
      await this.rootPath();
    });
  }
}

async function countFiles(dir: string): Promise<number> {
  let count = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) count += await countFiles(path.join(dir, entry.name));
    else count += 1;
  }
  return count;
}
