import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, fieldOf, messageOf } from './api.ts';
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
  const message = messageOf(error);
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

/**
 * One todo of the list. A function called in the list's render, not a component: 1,000 todos
 * render in one pass with no per-item state or hooks, and the list handles every item's
 * events (`name` says which control) (ADR 0112).
 */
function todoItem(todo: Todo, now: number, error: string | undefined) {
  const deadline = todo.deadline_at === null ? undefined : fromApi(todo.deadline_at);
  const overdue = !todo.completed && deadline !== undefined && deadline.getTime() < now;
  const due = deadline ? `${overdue ? 'Overdue:' : 'Due'} ${formatLocal(deadline)}` : 'No deadline';
  // Few nodes and attributes (the checkbox inside its label needs no id), each text one node:
  // creating the cards' DOM is most of the list's render time.
  return (
    <li key={todo.id} id={`todo-${todo.id}`} class={todo.completed ? 'todo done' : 'todo'}>
      <label class="title">
        <input type="checkbox" name="completed" checked={todo.completed} aria-label={`Completed: ${todo.title}`} />
        {todo.title}
      </label>
      {todo.description && <p class="description">{todo.description}</p>}
      <p class={overdue ? 'meta overdue' : 'meta'}>{`${due} · #${todo.id}`}</p>
      <button type="button" name="edit" aria-label={`Edit ${todo.title}`}>
        Edit
      </button>
      <button type="button" name="delete" class="danger" aria-label={`Delete ${todo.title}`}>
        Delete
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

/** The id of the list item an event happened in. */
const itemOf = (event: Event): number | undefined => {
  const id = (event.target as Element).closest('.todos > li')?.id.replace('todo-', '');
  return id ? Number(id) : undefined;
};

type Show = 'all' | 'open' | 'done';

/**
 * The marks bench/web reads. First render: from the list's JSON (todos:fetched) to the list
 * painted (todos:painted, the task after the frame that drew it), style, layout and paint
 * included; todos:in-dom stops when the DOM is in place, before the browser drew anything.
 */
function markFirstRender() {
  performance.mark('todos:rendered');
  performance.measure('todos:in-dom', 'todos:fetched', 'todos:rendered');
  requestAnimationFrame(() =>
    setTimeout(() => {
      performance.mark('todos:painted');
      performance.measure('todos:first-render', 'todos:fetched', 'todos:painted');
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
  const [editing, setEditing] = useState<ReadonlySet<number>>(new Set());
  const [itemErrors, setItemErrors] = useState<ReadonlyMap<number, string>>(new Map());
  const rendered = useRef(false);
  // Bumped by every load and every change: an answer from before either is out of date and dropped,
  // so a reload the live stream started cannot undo a checkbox the user just ticked.
  const generation = useRef(0);

  const load = async () => {
    const mine = ++generation.current;
    const query = new URLSearchParams();
    if (show !== 'all') query.set('completed', String(show === 'done'));
    if (within.trim() !== '') query.set('window', within.trim());
    try {
      const list = await api<Todo[]>('GET', `/api/v1/todos${query.size ? `?${query}` : ''}`);
      if (mine !== generation.current) return;
      if (!rendered.current) performance.mark('todos:fetched');
      setTodos(list);
      setFilterError(undefined);
      setLoadError(undefined);
    } catch (error) {
      if (mine !== generation.current) return;
      const message = messageOf(error);
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
    item.tabIndex = -1; // focusable from script only: 999 other items need not carry the attribute
    item.scrollIntoView({ block: 'center' });
    item.focus();
  }, [todos]);

  const setItemError = (id: number, error: string | undefined) =>
    setItemErrors((before) => {
      const after = new Map(before);
      if (error === undefined) after.delete(id);
      else after.set(id, error);
      return after;
    });
  const change = async (id: number, action: () => Promise<unknown>) => {
    generation.current++;
    try {
      await action();
      setItemError(id, undefined);
    } catch (caught) {
      setItemError(id, messageOf(caught));
    }
    // Succeeded or not, the list shows what the server now holds.
    void load();
  };
  const edit = (id: number, on: boolean) =>
    setEditing((before) => {
      const after = new Set(before);
      if (on) after.add(id);
      else after.delete(id);
      return after;
    });
  // The todo whose edit form just closed: its Edit button takes focus back, so keyboard users continue where they were.
  const returnFocusTo = useRef<number>(undefined);
  const stopEditing = (id: number) => {
    returnFocusTo.current = id;
    edit(id, false);
  };
  useLayoutEffect(() => {
    const button = document.querySelector<HTMLElement>(`#todo-${returnFocusTo.current} button[name="edit"]`);
    if (!button) return;
    returnFocusTo.current = undefined;
    button.focus();
  });
  const onListClick = (event: MouseEvent) => {
    const id = itemOf(event);
    const name = (event.target as Element).closest('button')?.name;
    if (id === undefined) return;
    if (name === 'edit') edit(id, true);
    if (name === 'delete') void change(id, () => api('DELETE', `/api/v1/todos/${id}`));
  };
  const onListChange = (event: Event) => {
    const id = itemOf(event);
    const box = event.target as HTMLInputElement;
    if (id === undefined || box.name !== 'completed') return;
    const completed = box.checked;
    // Shown at once: a re-render before the answer must not put the old state back.
    setTodos((list) => list?.map((todo) => (todo.id === id ? { ...todo, completed } : todo)));
    void change(id, () => api('PUT', `/api/v1/todos/${id}`, { completed }));
  };

  const filtered = show !== 'all' || within.trim() !== '';
  const now = Date.now();
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
        // biome-ignore lint/a11y/useKeyWithClickEvents: clicks come from the items' buttons, which keyboards press too
        <ul
          class="todos"
          aria-label={`${todos.length} ${todos.length === 1 ? 'todo' : 'todos'}`}
          onClick={onListClick}
          onChange={onListChange}
        >
          {todos.map((todo) =>
            editing.has(todo.id) ? (
              <li key={todo.id} id={`todo-${todo.id}`} class="todo editing">
                <TodoForm
                  todo={todo}
                  onSaved={() => {
                    stopEditing(todo.id);
                    void load();
                  }}
                  onCancel={() => stopEditing(todo.id)}
                />
              </li>
            ) : (
              todoItem(todo, now, itemErrors.get(todo.id))
            ),
          )}
        </ul>
      )}
    </section>
  );
}
