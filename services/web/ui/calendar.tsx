import { useEffect, useRef, useState } from 'preact/hooks';
import { api, download, messageOf } from './api.ts';

type TaskStatus = 'PENDING' | 'STARTED' | 'SUCCESS' | 'FAILURE';
interface StatusBody {
  task_id: string;
  task_status: TaskStatus;
  reason?: string | null;
}

const pollMs = 400;
const giveUpMs = 120_000;
const resultPath = (id: string) => `/api/v1/todos/ical/${id}/result`;

/**
 * The asynchronous iCal job as the user sees it: start it, watch PENDING → STARTED → SUCCESS,
 * get taskoverflow.ics (or the reason it failed).
 */
export function CalendarExport() {
  const [jobId, setJobId] = useState<string>();
  const [seen, setSeen] = useState<TaskStatus[]>([]);
  const [problem, setProblem] = useState<string>();
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const finished = seen.at(-1) === 'SUCCESS' || seen.at(-1) === 'FAILURE';
  const running = jobId !== undefined && !finished && !problem;

  const poll = async (id: string, started: number) => {
    try {
      const status = await api<StatusBody>('GET', `/api/v1/todos/ical/${id}/status`);
      setSeen((before) => (before.at(-1) === status.task_status ? before : [...before, status.task_status]));
      if (status.task_status === 'FAILURE') return setProblem(status.reason || 'the calendar service gave no reason');
      if (status.task_status === 'SUCCESS') return await download(resultPath(id), 'taskoverflow.ics');
      if (Date.now() - started > giveUpMs) return setProblem('still not finished after 2 minutes; try again later');
      timer.current = setTimeout(() => void poll(id, started), pollMs);
    } catch (error) {
      setProblem(messageOf(error));
    }
  };

  const start = async () => {
    clearTimeout(timer.current);
    setProblem(undefined);
    setSeen([]);
    try {
      const { task_id } = await api<{ task_id: string }>('POST', '/api/v1/todos/ical');
      setJobId(task_id);
      setSeen(['PENDING']);
      await poll(task_id, Date.now());
    } catch (error) {
      setProblem(messageOf(error));
    }
  };

  return (
    <div class="calendar-export">
      <button type="button" class="primary" onClick={start} disabled={running} aria-describedby="calendar-status">
        Export calendar (.ics)
      </button>
      <div id="calendar-status" role="status" class="calendar-status">
        {seen.length > 0 && (
          <ol class="steps" aria-label="Export progress">
            {seen.map((status) => (
              <li key={status} class={status.toLowerCase()}>
                {status}
              </li>
            ))}
          </ol>
        )}
        {seen.at(-1) === 'SUCCESS' && jobId && (
          <p>
            Saved taskoverflow.ics.{' '}
            <button
              type="button"
              class="link"
              onClick={() =>
                download(resultPath(jobId), 'taskoverflow.ics').catch((error: unknown) => setProblem(messageOf(error)))
              }
            >
              Download again
            </button>
          </p>
        )}
        {problem && <p class="error">Export failed: {problem}</p>}
      </div>
    </div>
  );
}
