import assert from 'node:assert/strict';
import notification from '@taskoverflow/notification/service.ts';
import { webhookEventTypes } from '@taskoverflow/web/ui/webhook-event-types.ts';

describe('web UI and notification service', () => {
  it('when the UI offers event types for webhooks, then they are exactly what the notification service delivers', () => {
    assert.deepEqual([...webhookEventTypes], [...notification.consumes]);
  });
});
