/** What to tell the user when `version` cannot run TaskOverflow; undefined when it can. */
export declare function nodeVersionProblem(version: string): string | undefined;
