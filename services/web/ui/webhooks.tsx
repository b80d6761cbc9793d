import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, fieldOf, messageOf } from './api.ts';
import { described, Field, FieldError, Status } from './fields.tsx';
import { formatInstant } from './time.ts';
import { webhookEventTypes } from './webhook-event-types.ts';

interface Webhook {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  created_at: string;
}
interface Delivery {
  event_id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: string | null;
}

type Errors = Partial<Record<'url' | 'events' | 'description' | 'form', string>>;

function RegisterForm({ onCreated }: { onCreated: (webhook: Webhook & { secret: string }) => void }) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>(['TodoCreated']);
  const [errors, setErrors] = useState<Errors>({});
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);

  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      const created = await api<Webhook & { secret: string }>('POST', '/api/v1/webhooks', {
        url,
        events,
        description: description || null,
      });
      setErrors({});
      setUrl('');
      setDescription('');
      onCreated(created);
    } catch (error) {
      const text = messageOf(error);
      const field =
        error instanceof ApiError && !error.isAuth ? fieldOf(text, ['url', 'events', 'description']) : undefined;
      setErrors({ [field ?? 'form']: text });
    }
  };
  const toggle = (type: string, on: boolean) =>
    setEvents((before) => (on ? [...before, type] : before.filter((other) => other !== type)));

  return (
    <form ref={formRef} class="card" onSubmit={submit} noValidate aria-labelledby="register-heading">
      <h3 id="register-heading">Register a webhook</h3>
      <Field
        id="webhook-url"
        label="Receiver URL"
        hint="TaskOverflow POSTs each chosen event here, signed the Standard Webhooks way."
        error={errors.url}
      >
        <input
          type="url"
          {...described('webhook-url', errors.url, true)}
          value={url}
          placeholder="https://example.com/hooks/taskoverflow"
          onInput={(event) => setUrl(event.currentTarget.value)}
          required
        />
      </Field>
      <fieldset
        aria-invalid={errors.events ? 'true' : undefined}
        aria-describedby={errors.events ? 'webhook-events-error' : undefined}
      >
        <legend>Events to send</legend>
        <div class="choices">
          {webhookEventTypes.map((type) => (
            <label key={type} class="choice">
              <input
                type="checkbox"
                checked={events.includes(type)}
                onChange={(event) => toggle(type, event.currentTarget.checked)}
              />{' '}
              {type}
            </label>
          ))}
        </div>
        <FieldError id="webhook-events" error={errors.events} />
      </fieldset>
      <Field id="webhook-description" label="Description (optional)" error={errors.description}>
        <input
          {...described('webhook-description', errors.description)}
          value={description}
          onInput={(event) => setDescription(event.currentTarget.value)}
        />
      </Field>
      <FieldError id="webhook-form" error={errors.form} />
      <div class="actions">
        <button type="submit" class="primary">
          Register webhook
        </button>
      </div>
    </form>
  );
}

function SecretOnce({ secret, onDismiss }: { secret: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState('');
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => field.current?.focus(), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('Copied to the clipboard.');
    } catch {
      field.current?.select();
      setCopied('Selected: press Ctrl+C (⌘C) to copy.');
    }
  };
  return (
    <section class="card secret" aria-labelledby="secret-heading">
      <h3 id="secret-heading">Signing secret — shown only now</h3>
      <p id="secret-hint">Your receiver needs it to verify signatures. It cannot be shown again.</p>
      <div class="row">
        <label class="visually-hidden" for="webhook-secret">
          Signing secret
        </label>
        <input
          ref={field}
          id="webhook-secret"
          readOnly
          value={secret}
          aria-describedby="secret-hint"
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" class="primary" onClick={copy}>
          Copy secret
        </button>
        <button type="button" onClick={onDismiss}>
          Done
        </button>
      </div>
      <Status>{copied}</Status>
    </section>
  );
}

function Deliveries({ webhook }: { webhook: Webhook }) {
  const [deliveries, setDeliveries] = useState<Delivery[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let active = true;
    const load = async () => {
      try {
        const list = await api<Delivery[]>('GET', `/api/v1/webhooks/${webhook.id}/deliveries`);
        if (active) setDeliveries(list);
        setError(undefined);
      } catch (caught) {
        if (active) setError(messageOf(caught));
      }
      // Deliveries change on their own (retries), so an open list keeps itself current.
      if (active) timer = setTimeout(() => void load(), 2000);
    };
    void load();
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [webhook.id]);

  if (error) return <p class="error">Could not load deliveries: {error}</p>;
  if (!deliveries) return <p>Loading deliveries…</p>;
  if (deliveries.length === 0) return <p>No deliveries yet: they appear here when a chosen event happens.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption>Recent deliveries to {webhook.url}</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last code</th>
            <th scope="col">Last attempt</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr key={delivery.event_id}>
              <td>{delivery.event_type}</td>
              <td class={`delivery-${delivery.status}`}>{delivery.status}</td>
              <td>{delivery.attempts}</td>
              <td>{delivery.last_status_code ?? delivery.last_error ?? '—'}</td>
              <td>{delivery.last_attempt_at ? formatInstant(delivery.last_attempt_at) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function WebhookItem({ webhook, onDeleted }: { webhook: Webhook; onDeleted: () => void }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string>();
  const remove = async () => {
    if (!window.confirm(`Delete the webhook to ${webhook.url}? Its pending deliveries are dropped.`)) return;
    try {
      await api('DELETE', `/api/v1/webhooks/${webhook.id}`);
      onDeleted();
    } catch (caught) {
      setError(messageOf(caught));
    }
  };
  return (
    <li class="card webhook">
      <p class="url">{webhook.url}</p>
      {webhook.description && <p>{webhook.description}</p>}
      <p class="meta">
        {webhook.events.join(', ')} · since {formatInstant(webhook.created_at)}
      </p>
      <div class="actions">
        <button
          type="button"
          aria-expanded={open}
          aria-controls={`deliveries-${webhook.id}`}
          onClick={() => setOpen(!open)}
        >
          {open ? 'Hide deliveries' : 'Show deliveries'}
          <span class="visually-hidden"> for {webhook.url}</span>
        </button>
        <button type="button" class="danger" onClick={remove}>
          Delete<span class="visually-hidden"> webhook {webhook.url}</span>
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div id={`deliveries-${webhook.id}`}>{open && <Deliveries webhook={webhook} />}</div>
    </li>
  );
}

export function WebhooksView() {
  const [webhooks, setWebhooks] = useState<Webhook[]>();
  const [secret, setSecret] = useState<string>();
  const [loadError, setLoadError] = useState<string>();
  const load = async () => {
    try {
      setWebhooks(await api<Webhook[]>('GET', '/api/v1/webhooks'));
      setLoadError(undefined);
    } catch (error) {
      setLoadError(messageOf(error));
    }
  };
  useEffect(() => {
    void load();
    const reload = () => void load();
    window.addEventListener('taskoverflow:token', reload);
    return () => window.removeEventListener('taskoverflow:token', reload);
  }, []);

  return (
    <section aria-labelledby="webhooks-heading">
      <h2 id="webhooks-heading">Webhooks</h2>
      {secret ? (
        <SecretOnce secret={secret} onDismiss={() => setSecret(undefined)} />
      ) : (
        <RegisterForm
          onCreated={(created) => {
            setSecret(created.secret);
            void load();
          }}
        />
      )}
      {loadError && (
        <p class="error" role="alert">
          Could not load the webhooks: {loadError}
        </p>
      )}
      {webhooks && webhooks.length === 0 && <p class="empty">No webhooks yet. Register a receiver URL above.</p>}
      {webhooks && webhooks.length > 0 && (
        <ul class="webhooks" aria-label="Registered webhooks">
          {webhooks.map((webhook) => (
            <WebhookItem key={webhook.id} webhook={webhook} onDeleted={() => void load()} />
          ))}
        </ul>
      )}
    </section>
  );
}
