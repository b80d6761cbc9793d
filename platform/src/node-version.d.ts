/** What to tell the user when `version` cannot run TaskOverflow; undefined when it can. */
export declare function nodeVersionProblem(version: string): string | undefined;
/** Exits with that one line when this Node is too old. */
export declare function exitOnOldNode(): void;
