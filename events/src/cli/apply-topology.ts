/**
 * Applies the manifests' topology to AWS_ENDPOINT_URL (or AWS when unset) and prints the
 * resulting ARNs and URLs as JSON on stdout.
 *
 *   AWS_ENDPOINT_URL=http://127.0.0.1:4566 node events/src/cli/apply-topology.ts [--prefix p] [--bucket b]
 *
 * The bucket defaults to EVENTS_BUCKET; the prefix to `taskoverflow`.
 */
import { parseArgs } from 'node:util';
import { awsClients } from '../aws.ts';
import { loadManifests } from '../manifests.ts';
import { buildTopology } from '../topology.ts';
import { applyTopology } from '../topology-apply.ts';

const { values } = parseArgs({
  options: {
    prefix: { type: 'string', default: 'taskoverflow' },
    bucket: { type: 'string', default: process.env.EVENTS_BUCKET },
  },
});

const topology = buildTopology(await loadManifests(), values.prefix);
const applied = await applyTopology(awsClients(), topology, { bucket: values.bucket });
process.stdout.write(`${JSON.stringify(applied, null, 2)}\n`);
