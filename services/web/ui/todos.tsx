import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, fieldOf } from './api.ts';
import { CalendarExport } from './calendar.tsx';
import { described, Field, FieldError } from './fields.tsx';
import { formatLocal, fromApi, timeZone, toApi, toInputs } from './time.ts';

export interface Todo {
  id: number;
  title: string;
  description: string | null;
  completed: boolean;
  deadline_at: string | null;
}

type Errors = Partial<Record<'title' | 'description' | 'deadline_at' | 'form', string>>;
const todoFields = ['title', 'description', 'deadline_at'] as const;

/** Turns an API error into the field it concerns (or the whole form). */
function errorsOf(error: unknown): Errors {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ApiError && error.isAuth) return { form: message };
  const field = fieldOf(message, todoFields) as keyof Errors | undefined;
  return { [field ?? 'form']: message };
}

/** Adding and editing are the same form: empty for a new todo, filled for an existing one. */
function TodoForm({ todo, onSaved, onCancel }: { todo?: Todo; onSaved: (saved: Todo) => void; onCancel?: () => void }) {
  const prefix = todo ? `edit-${todo.id}` : 'new';
  const initial = toInputs(todo?.deadline_at ?? null);
  const [title, setTitle] = useState(todo?.title ?? '');
  const [description, setDescription] = useState(todo?.description ?? '');
  const [date, setDate] = useState(initial.date);
  const [time, setTime] = useState(initial.time);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const titleRef = useRef<HTMLInputElement>(null);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (todo) titleRef.current?.focus();
  }, []);
  useEffect(() => {
    // Take the user to the first problem.
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (time && !date) return setErrors({ deadline_at: 'Choose a date for the deadline, or clear the time' });
    setBusy(true);
    try {
      const body = { title, description: description || null, deadline_at: date ? toApi(date, time) : null };
      const saved = todo
        ? await api<Todo>('PUT', `/api/v1/todos/${todo.id}`, body)
        : await api<Todo>('POST', '/api/v1/todos', body);
      setErrors({});
      if (!todo) {
        setTitle('');
        setDescription('');
        setDate('');
        setTime('');
        titleRef.current?.focus();
      }
      onSaved(saved);
    } catch (error) {
      setErrors(errorsOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      ref={formRef}
      class="card todo-form"
      onSubmit={submit}
      noValidate
      aria-label={todo ? `Edit ${todo.title}` : 'Add a todo'}
    >
      <Field id={`${prefix}-title`} label="Title" error={errors.title}>
        <input
          ref={titleRef}
          {...described(`${prefix}-title`, errors.title)}
          value={title}
          onInput={(event) => setTitle(event.currentTarget.value)}
          autocomplete="off"
          required
        />
      </Field>
      <Field id={`${prefix}-description`} label="Description (optional)" error={errors.description}>
        <textarea
          {...described(`${prefix}-description`, errors.description)}
          value={description}
          rows={2}
          onInput={(event) => setDescription(event.currentTarget.value)}
        />
      </Field>
      <fieldset class="deadline" aria-describedby={`${prefix}-deadline-hint`}>
        <legend>Deadline (optional)</legend>
        <div class="row">
          <div class="field">
            <label for={`${prefix}-date`}>Date</label>
            <input
              type="date"
              id={`${prefix}-date`}
              aria-invalid={errors.deadline_at ? 'true' : undefined}
              aria-describedby={errors.deadline_at ? `${prefix}-deadline-error` : undefined}
              value={date}
              onInput={(event) => setDate(event.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for={`${prefix}-time`}>Time</label>
            <input
              type="time"
              id={`${prefix}-time`}
              value={time}
              onInput={(event) => setTime(event.currentTarget.value)}
            />
          </div>
        </div>
        <p class="hint" id={`${prefix}-deadline-hint`}>
          In your time zone ({timeZone}); stored as UTC.
        </p>
        <FieldError id={`${prefix}-deadline`} error={errors.deadline_at} />
      </fieldset>
      <FieldError id={`${prefix}-form`} error={errors.form} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {todo ? 'Save' : 'Add todo'}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

/** The todo whose edit form just closed: its Edit button takes focus back when it renders. */
let returnFocusTo: number | undefined;

function TodoItem({ todo, now, onChanged }: { todo: Todo; now: Date; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string>();
  const stopEditing = () => {
    returnFocusTo = todo.id; // keyboard users continue where they were
    setEditing(false);
  };
  const editButton = (button: HTMLButtonElement | null) => {
    if (button && returnFocusTo === todo.id) {
      returnFocusTo = undefined;
      button.focus();
    }
  };

  const change = async (action: () => Promise<unknown>) => {
    try {
      await action();
      setError(undefined);
      onChanged();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };
  const overdue = !todo.completed && todo.deadline_at !== null && fromApi(todo.deadline_at) < now;

  if (editing) {
    return (
      <li id={`todo-${todo.id}`} class="todo editing">
        <TodoForm
          todo={todo}
          onSaved={() => {
            stopEditing();
            onChanged();
          }}
          onCancel={stopEditing}
        />
      </li>
    );
  }
  return (
    <li id={`todo-${todo.id}`} tabIndex={-1} class={todo.completed ? 'todo done' : 'todo'}>
      <div class="check">
        <input
          type="checkbox"
          id={`done-${todo.id}`}
          checked={todo.completed}
          onChange={(event) =>
            change(() => api('PUT', `/api/v1/todos/${todo.id}`, { completed: event.currentTarget.checked }))
          }
        />
        <label for={`done-${todo.id}`}>
          <span class="visually-hidden">Completed: </span>
          <span class="title">{todo.title}</span>
        </label>
      </div>
      {todo.description && <p class="description">{todo.description}</p>}
      <p class="meta">
        {todo.deadline_at ? (
          <span class={overdue ? 'overdue' : ''}>
            {overdue ? 'Overdue: ' : 'Due '}
            <time dateTime={`${todo.deadline_at}Z`}>{formatLocal(todo.deadline_at)}</time>
          </span>
        ) : (
          'No deadline'
        )}
        {` · #${todo.id}`}
      </p>
      <div class="actions">
        <button type="button" ref={editButton} aria-label={`Edit ${todo.title}`} onClick={() => setEditing(true)}>
          Edit
        </button>
        <button
          type="button"
          class="danger"
          aria-label={`Delete ${todo.title}`}
          onClick={() => change(() => api('DELETE', `/api/v1/todos/${todo.id}`))}
        >
          Delete
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

type Show = 'all' | 'open' | 'done';

/** The performance marks bench/web reads: from the list's JSON to its DOM, then to the next frame. */
function markFirstRender() {
  performance.mark('todos:rendered');
  performance.measure('todos:first-render', 'todos:fetched', 'todos:rendered');
  requestAnimationFrame(() =>
    setTimeout(() => {
      performance.mark('todos:painted');
      performance.measure('todos:first-paint', 'todos:fetched', 'todos:painted');
    }),
  );
}

export function TodosView({ focusId }: { focusId?: number | undefined }) {
  const [todos, setTodos] = useState<Todo[]>();
  const [show, setShow] = useState<Show>('all');
  const [within, setWithin] = useState('');
  const [filterError, setFilterError] = useState<string>();
  const [loadError, setLoadError] = useState<string>();
  const [announcement, setAnnouncement] = useState('');
  const rendered = useRef(false);

  const load = async () => {
    const query = new URLSearchParams();
    if (show !== 'all') query.set('completed', String(show === 'done'));
    if (within.trim() !== '') query.set('window', within.trim());
    try {
      const list = await api<Todo[]>('GET', `/api/v1/todos${query.size ? `?${query}` : ''}`);
      if (!rendered.current) performance.mark('todos:fetched');
      setTodos(list);
      setFilterError(undefined);
      setLoadError(undefined);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (fieldOf(message, ['window', 'completed'])) setFilterError(message);
      else setLoadError(message);
    }
  };
  useEffect(() => {
    void load();
    const reload = () => void load();
    window.addEventListener('taskoverflow:token', reload);
    return () => window.removeEventListener('taskoverflow:token', reload);
  }, [show, within]);
  useLayoutEffect(() => {
    if (todos && !rendered.current) {
      rendered.current = true;
      markFirstRender();
    }
  }, [todos]);
  // Changes made elsewhere (another tab, curl) arrive through the live stream: reload, once per burst.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const changed = (event: Event) => {
      if (!(event as CustomEvent<{ type: string }>).detail.type.startsWith('Todo')) return;
      clearTimeout(timer);
      timer = setTimeout(() => void load(), 300);
    };
    window.addEventListener('taskoverflow:event', changed);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('taskoverflow:event', changed);
    };
  }, [show, within]);
  // A link to a todo (from the activity panel) shows it once; later reloads leave focus alone.
  const pendingFocus = useRef<number>(undefined);
  useEffect(() => {
    if (focusId === undefined) return;
    pendingFocus.current = focusId;
    void load();
  }, [focusId]);
  useEffect(() => {
    const item = pendingFocus.current === undefined ? null : document.getElementById(`todo-${pendingFocus.current}`);
    if (!item) return;
    pendingFocus.current = undefined;
    item.scrollIntoView({ block: 'center' });
    item.focus();
  }, [todos]);

  const filtered = show !== 'all' || within.trim() !== '';
  const now = new Date();
  const reload = () => void load();
  return (
    <section aria-labelledby="todos-heading">
      <h2 id="todos-heading">Todos</h2>
      <TodoForm
        onSaved={(todo) => {
          setAnnouncement(`Added “${todo.title}”.`);
          void load();
        }}
      />
      <p class="status" role="status">
        {announcement}
      </p>
      <div class="toolbar">
        <fieldset class="filters">
          <legend>Filter</legend>
          <div class="row">
            <div class="field">
              <label for="filter-show">Show</label>
              <select id="filter-show" value={show} onChange={(event) => setShow(event.currentTarget.value as Show)}>
                <option value="all">All todos</option>
                <option value="open">Not completed</option>
                <option value="done">Completed</option>
              </select>
            </div>
            <Field id="filter-within" label="Due within (days)" error={filterError}>
              <input
                type="number"
                min={0}
                inputMode="numeric"
                {...described('filter-within', filterError)}
                value={within}
                placeholder="any"
                onInput={(event) => setWithin(event.currentTarget.value)}
              />
            </Field>
          </div>
        </fieldset>
        <CalendarExport />
      </div>
      {loadError && (
        <p class="error" role="alert">
          Could not load the todos: {loadError}
        </p>
      )}
      {todos && todos.length === 0 && (
        <div class="empty">
          {filtered ? (
            <p>
              No todos match these filters.{' '}
              <button
                type="button"
                onClick={() => {
                  setShow('all');
                  setWithin('');
                }}
              >
                Show all todos
              </button>
            </p>
          ) : (
            <p>
              Nothing to do yet. Add your first todo with the form above: a title is enough, and a deadline puts it in
              the calendar export.
            </p>
          )}
        </div>
      )}
      {todos && todos.length > 0 && (
        <ul class="todos" aria-label={`${todos.length} ${todos.length === 1 ? 'todo' : 'todos'}`}>
          {todos.map((todo) => (
            <TodoItem key={todo.id} todo={todo} now={now} onChanged={reload} />
          ))}
        </ul>
      )}
    </section>
  );
}
