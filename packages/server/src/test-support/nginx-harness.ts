// Runs Debian's nginx as a non-daemon child with a generated configuration in a temporary
// folder (tests and bench/device-http.ts). Either proxies to Updraft with an internal location
// for X-Accel-Redirect, or serves a folder directly, or runs a configuration of the caller's
// (the load balancer of docs/scale-out.md).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const nginxBinary = '/usr/sbin/nginx';

/** nginx cannot listen on port 0: take a free port from the kernel and release it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface NginxOptions {
  /** Proxy everything to this upstream (host:port) and serve X-Accel-Redirect from `firmwareDir`. */
  upstream?: string;
  firmwareDir: string;
  accelPrefix?: string;
  /** Serve `firmwareDir` directly under /files/ (the benchmark's baseline). */
  serveFiles?: boolean;
}

export interface RunningNginx {
  /** The master process; its worker is its child. */
  pid: number;
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** nginx.conf around `http`, the contents of an `http {}` block: temp paths and logs in `dir`. */
export function nginxMainConfig(dir: string, http: string): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((name) => `${name}_temp_path ${join(dir, name)};`)
    .join('\n  ');
  // Run as root (CI containers), workers would drop to `nobody` and not read a 0700 data folder.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  return `${user}worker_processes 1;
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  ${temp}
  default_type application/octet-stream;
${http}
}
`;
}

export function nginxConfig(port: number, dir: string, options: NginxOptions): string {
  const prefix = (options.accelPrefix ?? '/_updraft_firmware/').replace(/\/?$/, '/');
  return nginxMainConfig(
    dir,
    `  # sendfile with tcp_nopush off: with keep-alive, tcp_nopush (TCP_CORK) holds the last partial
  # segment of every answer until the client's delayed ACK, ~40 ms per 64 KiB range (docs/nginx.md).
  sendfile on;
  tcp_nopush off;
  tcp_nodelay on;
  keepalive_timeout 65s;
  keepalive_requests 100000;
  open_file_cache max=1000 inactive=60s;
  # keepalive_timeout below Updraft's keep-alive timeout, as docs/nginx.md: nginx closes first.
  upstream updraft { server ${options.upstream ?? '127.0.0.1:9'}; keepalive 64; keepalive_timeout 5s; }
  server {
    listen 127.0.0.1:${port};
    # Only reachable through X-Accel-Redirect from Updraft (docs/nginx.md).
    location ${prefix} {
      internal;
      alias ${options.firmwareDir.replace(/\/?$/, '/')};
      etag off;
      add_header ETag '"$upstream_http_x_content_sha256"';
      add_header X-Content-Sha256 $upstream_http_x_content_sha256;
    }
    ${options.serveFiles ? `location /files/ { alias ${options.firmwareDir.replace(/\/?$/, '/')}; }` : ''}
    location / {
      proxy_pass http://updraft;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }`,
  );
}

export function startNginx(options: NginxOptions): Promise<RunningNginx> {
  return startNginxWith((port, dir) => nginxConfig(port, dir, options));
}

/** Runs nginx with the configuration `config` makes for a free port and a temporary folder. */
export async function startNginxWith(config: (port: number, dir: string) => string): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'updraft-nginx-'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, config(port, dir));
  const child: ChildProcess = spawn(
    nginxBinary,
    ['-p', dir, '-c', conf, '-e', join(dir, 'error.log'), '-g', `daemon off; pid ${join(dir, 'nginx.pid')};`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    try {
      await fetch(`${url}/`).then((r) => r.arrayBuffer());
      break;
    } catch {
      if (i > 100) throw new Error(`nginx did not start: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    pid: child.pid!,
    port,
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        // Fast shutdown (SIGTERM): a graceful one (SIGQUIT) waits for every open connection,
        // such as an event stream a failed test left open.
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
