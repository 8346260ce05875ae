import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The body parsed as JSON when the content type says so. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/**
 * An HTTP request with the path sent exactly as given. `fetch` (WHATWG URL) would resolve `..`
 * and `%2e%2e` segments before sending, which is what a hostile client does not do.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  body?: Buffer | string | Readable,
  headers: Record<string, string> = {},
): Promise<RawReply> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          const type = res.headers['content-type'] ?? '';
          let json: unknown;
          if (type.includes('application/json') && buf.length > 0)
            json = JSON.parse(buf.toString());
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, json });
        });
      },
    );
    req.on('error', reject);
    if (body instanceof Readable) {
      body.pipe(req);
    } else {
      if (body !== undefined) req.setHeader('content-length', Buffer.byteLength(body));
      req.end(body);
    }
  });
}

/** Deterministic pseudo-random bytes (a cheap generator; tests compare exact bytes). */
export function bytes(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export function randomName(prefix = 'f'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
