import { useEffect, useState } from 'preact/hooks';
import { type AuditEntry, followAuditStream, type StreamState } from './live-stream.ts';

const keep = 50;

/** Where an event's subject can be looked at: the todo in the list, or the calendar job's status. */
function SubjectLink({ entry }: { entry: AuditEntry }) {
  if (entry.type.startsWith('Todo')) return <a href={`#/todos/${entry.subject}`}>todo #{entry.subject}</a>;
  return (
    <a href={`/api/v1/todos/ical/${entry.subject}/status`} target="_blank" rel="noopener">
      calendar job {entry.subject.slice(0, 8)}
    </a>
  );
}

function describeState(state: StreamState): string {
  switch (state.state) {
    case 'connecting':
      return 'Connecting…';
    case 'live':
      return 'Live';
    case 'retrying':
      return `Connection lost (${state.reason}); retrying in ${state.inSeconds} s`;
    case 'denied':
      return `Not allowed (${state.status}): ${state.message}`;
  }
}

/** Events as the audit service records them, newest first: one write fanning out to every consumer. */
export function ActivityPanel() {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [state, setState] = useState<StreamState>({ state: 'connecting' });
  useEffect(
    () =>
      followAuditStream(
        (entry) =>
          setEntries((before) =>
            before.some((other) => other.id === entry.id) ? before : [entry, ...before].slice(0, keep),
          ),
        setState,
      ),
    [],
  );

  return (
    <section class="activity" aria-labelledby="activity-heading">
      <h2 id="activity-heading">Live activity</h2>
      <p class={`stream-state ${state.state}`} role="status">
        {describeState(state)}
      </p>
      {entries.length === 0 ? (
        <p class="empty">
          {state.state === 'denied'
            ? 'Save the access token above to watch events arrive (locally: the contents of .data/admin.token).'
            : 'No events yet. Add a todo or export the calendar and watch them arrive here.'}
        </p>
      ) : (
        <div role="log" aria-label="Events, newest first">
          <ol class="events">
            {entries.map((entry) => (
              <li key={entry.id}>
                <time dateTime={entry.time}>{new Date(entry.time).toLocaleTimeString()}</time>{' '}
                <strong>{entry.type}</strong> <SubjectLink entry={entry} />{' '}
                <span class="source">from {entry.source.replace('taskoverflow/', '')}</span>
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
