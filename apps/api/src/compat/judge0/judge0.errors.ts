/** Judge0's own error answers, as data; Judge0Filter sends them with their status and body as they are. */

export class Judge0Error extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'object' && body !== null && 'error' in body ? String(body.error) : `Judge0 error ${status}`);
    this.name = 'Judge0Error';
  }
}

/** 400 `{ "error": "…" }`, Judge0's shape for a bad query or batch. */
export const badRequest = (error: string) => new Judge0Error(400, { error });

/** Unknown token, language id or route: Rails' JSON answer for RecordNotFound. */
export const notFound = () => new Judge0Error(404, { status: 404, error: 'Not Found' });

/** Judge0's words when a text attribute is not UTF-8 and base64 was not asked for (SubmissionsController#render_conversion_error). */
export const CONVERSION_ERROR = 'some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter';
export const BATCH_CONVERSION_ERROR =
  'some attributes for one or more submissions cannot be converted to UTF-8, use base64_encoded=true query parameter';
