/** An error whose status and message are meant for the client (4xx); 5xx messages are never shown. */
export class AppError extends Error {
  readonly status: number;
  readonly expose: boolean;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
    this.expose = status < 500;
  }
}

export const notFound = (message = 'Not found') => new AppError(404, message);
export const badRequest = (message: string) => new AppError(400, message);
