import assert from 'node:assert/strict';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { awsClients } from '@taskoverflow/events/aws';
import { waitFor } from '@taskoverflow/events/testing';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { backlogLine, watchBacklog } from './backlog.ts';

describe('npm start backlog line', () => {
  it('when every queue is empty, then there is no line', () => {
    assert.equal(backlogLine({ audit: { waiting: 0, inFlight: 0 } }, { audit: 0 }), undefined);
  });

  it('when a queue drains at a known rate, then the line names the service, its depth and how far behind it is', () => {
    const line = backlogLine(
      {
        audit: { waiting: 1200, inFlight: 10 },
        notification: { waiting: 0, inFlight: 0 },
        todo: { waiting: 3, inFlight: 0 },
      },
      { audit: 100, notification: 0, todo: 0 },
    );
    assert.equal(
      line,
      'backlog: audit 1,200 waiting, 10 in flight (~13 s behind at 100/s) · todo 3 waiting, 0 in flight (not draining)',
    );
  });

  describe('on fauxqs', () => {
    let fauxqs: FauxqsServer;
    before(async () => {
      fauxqs = await startFauxqs({ port: 0, logger: false });
    });
    after(() => fauxqs.stop());

    it('when messages wait and are then consumed, then lines report them and one line says it caught up', async () => {
      const { sqs } = awsClients({ AWS_ENDPOINT_URL: fauxqs.address });
      const { QueueUrl: queueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: 'backlog-audit' }));
      for (let index = 0; index < 3; index++) {
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `m${index}` }));
      }
      const lines: string[] = [];
      const stop = watchBacklog(sqs, { audit: { queueUrl } }, (line) => lines.push(line), 100);
      try {
        await waitFor(() => lines.some((line) => line.startsWith('backlog: audit 3 waiting')), {
          what: 'a backlog line',
        });

        const { Messages: messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
        );
        for (const message of messages) {
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
        }

        await waitFor(() => lines.at(-1) === 'backlog: every queue caught up', { what: 'the caught-up line' });
        const caughtUp = lines.length - 1;
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'later' }));
        await waitFor(() => lines.length > caughtUp + 1, { what: 'the next backlog line' });

        // The idle readings in between printed nothing.
        assert.match(lines[caughtUp + 1] ?? '', /^backlog: audit 1 waiting/);
        assert.equal(lines.filter((line) => line.includes('caught up')).length, 1);
      } finally {
        stop();
        sqs.destroy();
      }
    });
  });
});
