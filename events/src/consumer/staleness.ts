import type { Queryable } from '@taskoverflow/platform';
import type { AnyEvent } from '../envelope.ts';

// Advances each subject's stored sequence to the group's newest, in one statement; the rows
// it returns are the subjects that moved, with their new sequence. Sorted, so concurrent
// transactions lock rows in the same order; the row lock orders same-subject handlers.
const ADVANCE_SUBJECTS = `
  WITH incoming AS (
    SELECT source, subject, max(sequence) AS sequence
    FROM unnest($2::text[], $3::text[], $4::integer[]) AS e(source, subject, sequence)
    GROUP BY source, subject ORDER BY source, subject
  )
  INSERT INTO subject_versions AS v (consumer, source, subject, sequence)
  SELECT $1, source, subject, sequence FROM incoming
  ON CONFLICT (consumer, source, subject) DO UPDATE SET sequence = excluded.sequence
  WHERE v.sequence < excluded.sequence
  RETURNING source, subject, sequence`;

const subjectKey = ({ source, subject }: { source: string; subject: string }) => `${source}\u0000${subject}`;

/**
 * The events (of those given) that are not older than what this consumer already applied
 * (ADR 0070), advancing their subjects in the caller's transaction.
 */
export async function freshEvents(tx: Queryable, service: string, events: readonly AnyEvent[]): Promise<Set<AnyEvent>> {
  const sequenced = events.filter((event) => event.sequence !== undefined);
  const fresh = new Set(events.filter((event) => event.sequence === undefined));
  if (sequenced.length === 0) return fresh;
  const advanced = await tx.query<{ source: string; subject: string; sequence: number }>(ADVANCE_SUBJECTS, [
    service,
    sequenced.map((event) => event.source),
    sequenced.map((event) => event.subject),
    sequenced.map((event) => event.sequence),
  ]);
  const newest = new Map(advanced.map((row) => [subjectKey(row), row.sequence]));
  for (const event of sequenced) if (newest.get(subjectKey(event)) === event.sequence) fresh.add(event);
  return fresh;
}
