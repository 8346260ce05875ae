/**
 * The Content-Type of a downloaded artifact, guessed from its name. Text-like files are served
 * as `text/plain` whatever their real type (MLflow's server does the same: the recorded traffic
 * shows `.json`, `.yaml`, `requirements.txt` and `MLmodel` as `text/plain`), so HTML or SVG
 * uploaded as an artifact is never rendered by a browser from Kiln's origin. Unknown types are
 * `application/octet-stream`.
 */

const TEXT_EXTENSIONS = new Set([
  'txt', 'log', 'err', 'out', 'cfg', 'conf', 'cnf', 'cf', 'ini', 'properties', 'prop', 'hocon',
  'toml', 'yaml', 'yml', 'xml', 'json', 'jsonl', 'js', 'ts', 'py', 'py3', 'r', 'sh', 'sql', 'csv',
  'tsv', 'md', 'rst', 'html', 'htm', 'svg', 'css', 'ipynb', 'mlmodel', 'mlproject',
]); // prettier-ignore

/** Names without an extension that MLflow writes as text. */
const TEXT_NAMES = new Set(['MLmodel', 'MLproject', 'Dockerfile', 'LICENSE', 'README']);

const BINARY_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
  webp: 'image/webp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  ico: 'image/x-icon',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  tgz: 'application/gzip',
  tar: 'application/x-tar',
  parquet: 'application/vnd.apache.parquet',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  webm: 'video/webm',
};

export const OCTET_STREAM = 'application/octet-stream';

export function guessContentType(fileName: string): string {
  if (TEXT_NAMES.has(fileName)) return 'text/plain';
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0) return OCTET_STREAM;
  const extension = fileName.slice(dot + 1).toLowerCase();
  if (TEXT_EXTENSIONS.has(extension)) return 'text/plain';
  return BINARY_TYPES[extension] ?? OCTET_STREAM;
}
