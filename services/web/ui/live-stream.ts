import { EventSourceParserStream } from 'eventsource-parser/stream';
import { authHeaders, messageOf } from './api.ts';

export interface AuditEntry {
  id: string;
  type: string;
  subject: string;
  source: string;
  time: string;
}

export type StreamState =
  | { state: 'connecting' }
  | { state: 'live' }
  | { state: 'retrying'; inSeconds: number; reason: string }
  | { state: 'denied'; status: number; message: string };

/**
 * Follows GET /api/v1/audit/stream. EventSource cannot send an Authorization header, so this
 * reads the stream with fetch and parses it with eventsource-parser, resuming after the last
 * event id it saw (Last-Event-ID) whenever the connection drops. A 401/403 waits for a new token.
 */
export function followAuditStream(onEntry: (entry: AuditEntry) => void, onState: (state: StreamState) => void) {
  let lastId = '';
  let delayMs = 1000;
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const connect = async () => {
    clearTimeout(timer);
    controller?.abort();
    const current = new AbortController();
    controller = current;
    onState({ state: 'connecting' });
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream', ...authHeaders() };
      if (lastId) headers['last-event-id'] = lastId;
      const response = await fetch('/api/v1/audit/stream?backlog=20', {
        headers,
        signal: current.signal,
        cache: 'no-store',
      });
      if (response.status === 401 || response.status === 403) {
        const body = (await response.json().catch(() => ({}))) as { error?: string };
        return onState({ state: 'denied', status: response.status, message: body.error ?? response.statusText });
      }
      if (!response.ok || !response.body) throw new Error(`the audit service answered ${response.status}`);
      onState({ state: 'live' });
      delayMs = 1000;
      await response.body
        .pipeThrough(new TextDecoderStream())
        .pipeThrough(new EventSourceParserStream())
        .pipeTo(
          new WritableStream({
            write(message) {
              if (message.id) lastId = message.id;
              if (message.event !== 'audit') return;
              const entry = JSON.parse(message.data) as AuditEntry;
              onEntry(entry);
              // Views that show what an event changed listen for this and refresh.
              window.dispatchEvent(new CustomEvent('taskoverflow:event', { detail: entry }));
            },
          }),
        );
      throw new Error('the stream ended');
    } catch (error) {
      if (stopped || current.signal.aborted) return;
      const reason = messageOf(error);
      onState({ state: 'retrying', inSeconds: Math.round(delayMs / 1000), reason });
      timer = setTimeout(() => void connect(), delayMs);
      delayMs = Math.min(delayMs * 2, 15_000);
    }
  };

  const reconnect = () => void connect();
  window.addEventListener('taskoverflow:token', reconnect);
  void connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    controller?.abort();
    window.removeEventListener('taskoverflow:token', reconnect);
  };
}
