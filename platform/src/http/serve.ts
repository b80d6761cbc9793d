import { createServer, type Server } from 'node:http';
import type Koa from 'koa';
import type { Logger } from '../log.ts';
import { answerClientErrorsAsJson } from './client-error.ts';

export interface RunningHttp {
  server: Server;
  port: number;
  /** Stops accepting, lets in-flight requests finish, then drops what is left at the deadline. */
  close(deadlineMs?: number): Promise<void>;
}

export async function listen(app: Koa, port: number, log: Logger, host = '0.0.0.0'): Promise<RunningHttp> {
  const server = createServer(app.callback());
  server.keepAliveTimeout = 65_000; // longer than the ALB's 60 s idle timeout, so the ALB closes first
  answerClientErrorsAsJson(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  log.info({ port: bound }, 'listening');
  return {
    server,
    port: bound,
    close(deadlineMs = 8000) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          log.warn('shutdown deadline reached; closing open connections');
          server.closeAllConnections();
        }, deadlineMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
