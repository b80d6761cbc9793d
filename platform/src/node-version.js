// Plain JavaScript that any Node parses: the entry points (`npm start`, `taskoverflow`) check the
// version with it before loading .ts files, so an older Node says which one is needed instead
// of failing with ERR_UNKNOWN_FILE_EXTENSION.

/** @param {string} version e.g. `v20.11.1` @returns {string | undefined} what to tell the user */
export function nodeVersionProblem(version) {
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  if (major >= 24) return undefined;
  return `TaskOverflow needs Node 24 or newer, this is Node ${version}: run \`nvm install\` in the repository (it reads .nvmrc) or get Node 24 from https://nodejs.org`;
}

/** Exits with that one line when this Node is too old. */
export function exitOnOldNode() {
  const problem = nodeVersionProblem(process.version);
  if (!problem) return;
  console.error(problem);
  process.exit(1);
}
