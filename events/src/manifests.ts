import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServiceManifest } from './manifest.ts';

/** Repository root, found from this file so it works from any working directory. */
export const repoRoot = new URL('../../', import.meta.url);
export const servicesDir = new URL('services/', repoRoot);

/** Every `services/<name>/service.ts`, sorted by name; a folder is a service when it has one. */
export async function loadManifests(dir: URL | string = servicesDir): Promise<ServiceManifest[]> {
  const root = typeof dir === 'string' ? dir : dir.pathname;
  const names = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'service.ts')))
    .map((entry) => entry.name)
    .sort();
  const manifests: ServiceManifest[] = [];
  for (const name of names) {
    const module = (await import(pathToFileURL(join(root, name, 'service.ts')).href)) as { default: ServiceManifest };
    if (module.default.name !== name) {
      throw new Error(`services/${name}/service.ts declares name "${module.default.name}"; it must match its folder`);
    }
    manifests.push(module.default);
  }
  return manifests;
}
