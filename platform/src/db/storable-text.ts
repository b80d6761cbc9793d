/**
 * Whether PostgreSQL's `text` can hold a string: it stores no NUL, and UTF-8 cannot encode a
 * lone surrogate. Input that fails this is the client's mistake (a 400), never a database error.
 */
export const isStorableText = (text: string) => text.isWellFormed() && !text.includes('\u0000');

export const storableTextMessage = (name: string) => `${name} must be valid Unicode text without NUL characters`;
