// `npm start`'s entry point. Plain JavaScript that any Node parses, so that on an older Node
// the user reads which one is needed instead of ERR_UNKNOWN_FILE_EXTENSION from the .ts files.

/** @param {string} version e.g. `v20.11.1` @returns {string | undefined} what to tell the user */
export function nodeVersionProblem(version) {
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  if (major >= 24) return undefined;
  return `TaskOverflow needs Node 24 or newer, this is Node ${version}: run \`nvm install\` in the repository (it reads .nvmrc) or get Node 24 from https://nodejs.org`;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const problem = nodeVersionProblem(process.version);
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
  // V8's code cache for every process of the stack (they inherit it): a warm start skips compiling.
  const { enableCompileCache } = await import('node:module');
  process.env.NODE_COMPILE_CACHE ??= new URL('../node_modules/.cache/node-compile', import.meta.url).pathname;
  enableCompileCache?.(process.env.NODE_COMPILE_CACHE);
  await import('./start.ts');
}
