import { type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { apiHeaders } from './api-headers.ts';

// Node's parser error codes (llhttp) for what the client sent wrong.
const statusOf = (code: string | undefined) => {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
};
const messages: Record<number, string> = {
  400: 'Malformed HTTP request',
  405: 'Method not allowed',
  408: 'Request timed out',
  431: 'Request headers too large',
};

function answer(socket: Duplex, status: number): void {
  const body = JSON.stringify({ error: messages[status] });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      Object.entries(apiHeaders)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('') +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/**
 * Answers requests Node's HTTP parser rejects (malformed request lines, oversized heads,
 * bad bytes in the path) and CONNECT with a JSON error like every other error, instead of
 * Node's bare empty 400/431 or a dropped connection. For services and the gateway alike.
 */
export function answerClientErrorsAsJson(server: Server): void {
  // Node hands CONNECT to a 'connect' listener and, without one, drops the connection unanswered.
  server.on('connect', (_request, socket: Duplex) => answer(socket, 405));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // Nothing to answer on a connection the client already dropped, or mid-response.
    if (error.code === 'ECONNRESET' || !socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    answer(socket, statusOf(error.code));
  });
}
