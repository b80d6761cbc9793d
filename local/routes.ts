import type { ServiceManifest } from '@taskoverflow/events/manifest';

export interface Route {
  prefix: string;
  service: string;
  priority: number;
}

/** The path rules the ALB gets in the cloud, in the order they are tried. */
export function routesFrom(manifests: readonly ServiceManifest[]): Route[] {
  return manifests
    .flatMap((manifest) =>
      (manifest.http?.pathPrefixes ?? []).map((prefix) => ({
        prefix,
        service: manifest.name,
        priority: manifest.http?.priority ?? 1000,
      })),
    )
    .sort((a, b) => a.priority - b.priority || b.prefix.length - a.prefix.length);
}

/**
 * `/api/v1/todos` matches `/api/v1/todos`, `/api/v1/todos/1` and `/api/v1/todos?x`, not `/api/v1/todosx`;
 * `/` (the web UI) matches every path.
 */
export function matchRoute(routes: readonly Route[], url: string): Route | undefined {
  const path = url.split('?')[0] ?? '';
  return routes.find((route) => route.prefix === '/' || path === route.prefix || path.startsWith(`${route.prefix}/`));
}
