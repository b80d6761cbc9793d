import type { ServiceManifest } from '@taskoverflow/events/manifest';

/** Resolves once every HTTP service answers its health path; rejects at the deadline. */
export async function waitUntilHealthy(
  manifests: readonly ServiceManifest[],
  upstreams: ReadonlyMap<string, string>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const manifest of manifests) {
    const base = upstreams.get(manifest.name);
    if (!manifest.http || !base) continue;
    for (;;) {
      const ok = await fetch(`${base}${manifest.http.healthPath}`)
        .then((response) => response.ok)
        .catch(() => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`${manifest.name} did not become healthy in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
