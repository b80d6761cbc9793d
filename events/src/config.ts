import { z } from 'zod';

/** Messaging settings of a service; the local runner and infra/ set them. */
export const eventsEnvSchema = z.object({
  AWS_ENDPOINT_URL: z.url().optional().describe('SNS/SQS/S3 endpoint (fauxqs, moto, LocalStack); unset means AWS'),
  AWS_REGION: z.string().default('us-east-1').describe('AWS region'),
  EVENTS_TOPIC_ARN: z.string().min(1).optional().describe('SNS topic every event is published to'),
  EVENTS_QUEUE_URL: z.url().optional().describe("This service's SQS queue (consumers only)"),
  EVENTS_BUCKET: z.string().min(1).optional().describe('S3 bucket for claim-check payloads and calendars'),
});
