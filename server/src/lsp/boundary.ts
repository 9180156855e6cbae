import {
  type CancellationToken,
  ErrorCodes,
  type NotificationHandler,
  ResponseError,
} from 'vscode-languageserver';
import { errorMessage } from '../core/errors.js';
import { type Check, Invalid } from './params.js';

/** A request fallback: answer a failure as an error response (InternalError, one line). */
export const ANSWER_ERROR = Symbol('answer with an error');

/**
 * The one guard every handler of the server stands behind. A request's parameters are checked
 * first: malformed ones are answered with InvalidParams and one log line, and never reach the
 * handler. Whatever the handler then throws (or rejects with) is logged in one line, without a
 * stack, and answered with the handler's fallback: a bug in one feature never takes the server
 * down nor floods the log. A notification is checked and guarded the same way (there is no one
 * to answer).
 */
/** What a request handler answers: a result, or an error response. */
export type Answer<R> = R | ResponseError | Promise<R | ResponseError>;

export class Boundary {
  constructor(private readonly log: (message: string) => void) {}

  request<P, R>(
    name: string,
    check: Check<P>,
    handler: (params: P, token: CancellationToken) => R | Promise<R>,
    fallback: R | typeof ANSWER_ERROR,
  ): (raw: unknown, token: CancellationToken) => Answer<R> {
    return (raw, token) => {
      const params = check(raw);
      if (params instanceof Invalid) {
        this.log(`${name}: invalid params: ${params.reason}`);
        // vscode-jsonrpc answers a ResponseError returned by a handler as the error it is.
        return new ResponseError<void>(ErrorCodes.InvalidParams, `${name}: ${params.reason}`);
      }
      return this.attempt(
        name,
        () => handler(params, token),
        (line): R | ResponseError =>
          fallback === ANSWER_ERROR
            ? new ResponseError<void>(ErrorCodes.InternalError, line)
            : fallback,
      );
    };
  }

  notification<P>(
    name: string,
    check: Check<P>,
    handler: (params: P) => void | Promise<void>,
  ): NotificationHandler<unknown> {
    return (raw) => {
      const params = check(raw);
      if (params instanceof Invalid) {
        this.log(`${name}: invalid params, ignored: ${params.reason}`);
        return;
      }
      void this.run(name, () => handler(params), undefined);
    };
  }

  /** Runs `body`, turning a throw or a rejection into one log line and `fallback`. */
  run<R>(name: string, body: () => R | Promise<R>, fallback: R): R | Promise<R> {
    return this.attempt(name, body, () => fallback);
  }

  private attempt<R, F>(
    name: string,
    body: () => R | Promise<R>,
    onFail: (line: string) => F,
  ): R | F | Promise<R | F> {
    const fail = (error: unknown): F => {
      const line = `${name} failed: ${errorMessage(error)}`;
      this.log(line);
      return onFail(line);
    };
    try {
      const result = body();
      return result instanceof Promise ? result.catch(fail) : result;
    } catch (error) {
      return fail(error);
    }
  }
}
