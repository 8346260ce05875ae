import { ConfigError } from 'src/config/kiln-config';

/** S3-compatible object storage (AWS S3, MinIO, ...) reached through the minio client. */
export interface S3ArtifactConfig {
  backend: 's3';
  endPoint: string;
  port: number;
  useSSL: boolean;
  bucket: string;
  accessKey: string;
  secretKey: string;
  region: string;
}

/** Where artifacts live: a local folder (`<KILN_DATA_DIR>/artifacts`, the default) or S3. */
export type ArtifactConfig = { backend: 'local' } | S3ArtifactConfig;

/** S3 bucket names: 3-63 characters of lower-case letters, digits, dots and hyphens. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Reads the artifact settings: S3 when `S3_ENDPOINT` is set (`S3_BUCKET` required, keys both or
 * neither, `S3_REGION` default us-east-1), else the local folder. A bad value throws ConfigError.
 */
export function loadArtifactConfig(env: NodeJS.ProcessEnv): ArtifactConfig {
  const endpoint = env.S3_ENDPOINT;
  if (!endpoint) return { backend: 'local' };
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError(`S3_ENDPOINT must be an http:// or https:// URL, got '${endpoint}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`S3_ENDPOINT must be an http:// or https:// URL, got '${endpoint}'`);
  }
  if (url.pathname !== '/' || url.search || url.username) {
    throw new ConfigError(`S3_ENDPOINT must be a bare scheme://host[:port], got '${endpoint}'`);
  }
  const bucket = env.S3_BUCKET ?? '';
  if (!BUCKET.test(bucket)) {
    throw new ConfigError(
      `S3_BUCKET must be a bucket name (3-63 of a-z, 0-9, '.', '-') when S3_ENDPOINT is set, got '${bucket}'`,
    );
  }
  const accessKey = env.S3_ACCESS_KEY ?? '';
  const secretKey = env.S3_SECRET_KEY ?? '';
  if (!accessKey !== !secretKey) {
    throw new ConfigError('S3_ACCESS_KEY and S3_SECRET_KEY must be set together');
  }
  const useSSL = url.protocol === 'https:';
  return {
    backend: 's3',
    endPoint: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    bucket,
    accessKey,
    secretKey,
    region: env.S3_REGION || 'us-east-1',
  };
}
