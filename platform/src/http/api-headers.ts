/**
 * Headers on every API answer, whoever writes it (a service, the parser's error answer, the
 * gateway's own errors): no MIME sniffing, and no shared cache keeps per-caller data.
 */
export const apiHeaders = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } as const;
