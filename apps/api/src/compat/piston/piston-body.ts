/**
 * Piston's request bodies. Piston itself refuses anything but `application/json` (415), yet
 * `piston-client`, the JavaScript client on npm, posts its JSON as a plain string, which
 * node-fetch labels `text/plain;charset=UTF-8`. Both are read here as JSON; the global parser has
 * already read `application/json`.
 */
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { Config } from '@runbox/config';

interface Req {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  on(event: 'data', cb: (chunk: Buffer) => void): void;
  on(event: 'end' | 'error', cb: (e?: Error) => void): void;
  destroy(): void;
}
interface Res {
  status(code: number): Res;
  json(body: unknown): void;
}

const readBody = (req: Req, limitBytes: number): Promise<Buffer | 'too large'> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limitBytes) {
        resolve('too large');
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (e) => reject(e ?? new Error('request aborted')));
  });

@Injectable()
export class PistonBody implements NestMiddleware<Req, Res> {
  constructor(private readonly config: Config) {}

  async use(req: Req, res: Res, next: (e?: unknown) => void): Promise<void> {
    if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next();
    const type = String(req.headers['content-type'] ?? '').toLowerCase();
    if (type.startsWith('application/json')) return next();
    if (!type.startsWith('text/plain')) return res.status(415).json({ message: 'requests must be of type application/json' });
    try {
      const raw = await readBody(req, this.config.http.bodyLimitBytes);
      if (raw === 'too large')
        return res.status(413).json({ message: `the request body is larger than ${this.config.http.bodyLimitBytes} bytes` });
      req.body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
    } catch {
      return res.status(400).json({ message: 'the request body is not valid JSON' });
    }
    next();
  }
}
