import { type Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface ApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed body; undefined when it is empty or not JSON. */
  json: unknown;
}

export interface RawRequest {
  port: number;
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent as is; framed with Content-Length unless the headers frame it. */
  body?: string | Buffer | undefined;
  agent?: Agent;
}

/** One HTTP request to a test server on 127.0.0.1, without any client library in between. */
export function sendRequest({ port, method, path, headers = {}, body, agent }: RawRequest): Promise<ApiResponse> {
  const all = { ...headers };
  // Node sends a DELETE body without framing unless told its length.
  if (body !== undefined && !('content-length' in all) && !('transfer-encoding' in all)) {
    all['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, method, path, headers: all, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
