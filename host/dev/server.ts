/**
 * The dev page's HTTP server (node:http, 127.0.0.1): the page and its script
 * (host/dev/page/, plain files, no build step), uPlot from node_modules (no
 * CDN: works offline), a Server-Sent Events stream of the source's messages
 * (host/dev/protocol.ts) at /events, and the controls at POST /control.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';
import type { DevMessage, DevSnapshot } from './protocol.js';

/** What the page follows: the simulator (host/dev/session.ts) or a board on a port (host/dev/port.ts). */
export interface DevSource {
  subscribe(listener: (m: DevMessage) => void): () => void;
  snapshot(): DevSnapshot;
  /** A control from the page; throws an Error whose message the page shows. */
  control(command: string, value: unknown): void | Promise<void>;
}

export interface DevServer {
  readonly url: string;
  readonly port: number;
  /** Pages connected to the event stream. */
  clients(): number;
  close(): Promise<void>;
}

const PAGE_DIR = join(PACKAGE_ROOT, 'host', 'dev', 'page');
const UPLOT_DIR = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
};

function sendFile(res: http.ServerResponse, path: string): void {
  if (!existsSync(path) || !statSync(path).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
  createReadStream(path).pipe(res);
}

/** A file under `dir` named by the URL, never outside it. */
function inside(dir: string, name: string): string | undefined {
  const path = normalize(join(dir, decodeURIComponent(name)));
  return path.startsWith(dir + '/') ? path : undefined;
}

export async function startDevServer(source: DevSource, options: { port?: number; host?: string } = {}): Promise<DevServer> {
  const host = options.host ?? '127.0.0.1';
  const streams = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) return sendFile(res, join(PAGE_DIR, 'index.html'));
    if (req.method === 'GET' && path.startsWith('/page/')) {
      const file = inside(PAGE_DIR, path.slice('/page/'.length));
      return file ? sendFile(res, file) : void res.writeHead(404).end();
    }
    if (req.method === 'GET' && path.startsWith('/vendor/uplot/')) {
      const file = inside(UPLOT_DIR, path.slice('/vendor/uplot/'.length));
      return file ? sendFile(res, file) : void res.writeHead(404).end();
    }
    if (req.method === 'GET' && path === '/state') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(source.snapshot()));
      return;
    }
    if (req.method === 'GET' && path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write('retry: 1000\n\n');
      streams.add(res);
      const unsubscribe = source.subscribe((m) => res.write(`data: ${JSON.stringify(m)}\n\n`));
      req.on('close', () => {
        unsubscribe();
        streams.delete(res);
      });
      return;
    }
    if (req.method === 'POST' && path === '/control') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > 65536) req.destroy();
      });
      req.on('end', async () => {
        try {
          const { command, value } = JSON.parse(body || '{}') as { command?: string; value?: unknown };
          if (typeof command !== 'string') throw new Error('give { "command": ..., "value": ... }');
          await source.control(command, value);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        } catch (e) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: (e as Error).message }));
        }
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  // Keep-alive comments so proxies and the browser keep a quiet stream open.
  const keepAlive = setInterval(() => {
    for (const res of streams) res.write(': keep-alive\n\n');
  }, 15000);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/`,
    port,
    clients: () => streams.size,
    close: async () => {
      clearInterval(keepAlive);
      for (const res of streams) res.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
