// A collector that drops what it receives: tracing's cost in the stack's processes without a
// collector's CPU in the figures (this process is not counted). Answers every OTLP/HTTP
// export with an empty success, which the protobuf and JSON exporters both accept.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts the sink; returns its OTEL_EXPORTER_OTLP_ENDPOINT and how many exports arrived. */
export async function startOtlpSink(): Promise<{ endpoint: string; exports: () => number; close: () => void }> {
  let exports = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.once('end', () => {
      exports++;
      response.writeHead(200, { 'content-type': request.headers['content-type'] ?? 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports: () => exports,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
