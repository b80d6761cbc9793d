import createError from 'http-errors';

// http-errors is what Koa's ctx.throw uses: `status`, and `expose` true for 4xx only, so a
// 5xx message is never shown. These name the two the services throw most.
export const notFound = (message = 'Not found') => createError(404, message);
export const badRequest = (message: string) => createError(400, message);
export { createError as httpError };
