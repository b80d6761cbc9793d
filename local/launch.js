// `npm start`'s entry point. Plain JavaScript that any Node parses, so that on an older Node
// the user reads which one is needed instead of ERR_UNKNOWN_FILE_EXTENSION from the .ts files.
import { exitOnOldNode } from '@taskoverflow/platform/node-version';

exitOnOldNode();
// V8's code cache for every process of the stack (they inherit it): a warm start skips compiling.
const { enableCompileCache } = await import('node:module');
process.env.NODE_COMPILE_CACHE ??= new URL('../node_modules/.cache/node-compile', import.meta.url).pathname;
enableCompileCache?.(process.env.NODE_COMPILE_CACHE);
await import('./start.ts');
