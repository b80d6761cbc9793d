import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { inSpan, SpanKind, SpanStatusCode, traceparentOf } from '@taskoverflow/platform/telemetry';
import { bareHost, guardedLookup, isPublicAddress, parseTargetUrl, type TargetPolicy } from './target-guard.ts';

/** Bytes of the endpoint's answer kept for the deliveries API; the rest is discarded unread. */
export const RESPONSE_EXCERPT_BYTES = 512;

export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  policy: TargetPolicy;
}

export interface WebhookResponse {
  /** A 2xx answer; anything else (3xx included: redirects are not followed) is retried. */
  ok: boolean;
  statusCode: number | null;
  /** Why there is no 2xx: a connection error, a timeout, a refused target, or the status. */
  error: string | null;
  responseExcerpt: string | null;
  durationMs: number;
}

/** One POST; never throws, every failure is described in the result. */
export function postWebhook(webhook: WebhookRequest): Promise<WebhookResponse> {
  // A client span; its context goes out as `traceparent`, so a traced receiver continues the trace.
  return inSpan('POST', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'POST' } }, async (span) => {
    const traceparent = traceparentOf(span);
    const traced = traceparent ? { ...webhook, headers: { ...webhook.headers, traceparent } } : webhook;
    const result = await attempt(traced);
    if (result.statusCode !== null) span.setAttribute('http.response.status_code', result.statusCode);
    if (!result.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: result.error ?? '' });
    return result;
  });
}

async function attempt(webhook: WebhookRequest): Promise<WebhookResponse> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const { statusCode, excerpt } = await post(webhook);
    const ok = statusCode >= 200 && statusCode < 300;
    return {
      ok,
      statusCode,
      error: ok ? null : `HTTP ${statusCode}`,
      responseExcerpt: excerpt,
      durationMs: elapsed(),
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, statusCode: null, error: message.slice(0, 500), responseExcerpt: null, durationMs: elapsed() };
  }
}

function post({ url: text, body, headers, timeoutMs, policy }: WebhookRequest) {
  const url = parseTargetUrl(text);
  // node:http skips `lookup` for IP literals, so those are checked here.
  const host = bareHost(url);
  if (!policy.allowPrivate && isIP(host) && !isPublicAddress(host)) {
    throw new Error(`refused: ${host} is not a public address`);
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<{ statusCode: number; excerpt: string }>((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: guardedLookup(policy),
      // One deadline for connect, send and the excerpt; a slow endpoint only delays its own delivery.
      signal: AbortSignal.timeout(timeoutMs),
      agent: false,
    });
    req.on('error', (error) =>
      reject(error.name === 'AbortError' ? new Error(`timed out after ${timeoutMs} ms`) : error),
    );
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      const finish = () => {
        res.destroy();
        // PostgreSQL text cannot hold NUL, and the excerpt is only for people to read.
        const excerpt = Buffer.concat(chunks).toString('utf8').replaceAll('\0', '');
        resolve({ statusCode: res.statusCode ?? 0, excerpt });
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk.subarray(0, RESPONSE_EXCERPT_BYTES - kept));
        kept += Math.min(chunk.length, RESPONSE_EXCERPT_BYTES - kept);
        if (kept >= RESPONSE_EXCERPT_BYTES) finish();
      });
      res.on('end', finish);
      res.on('error', finish); // the status is known; a broken body does not change it
    });
    req.end(body);
  });
}
