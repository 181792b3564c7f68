/**
 * Expected error bodies, shared by the end-to-end tests (one shape: `{ statusCode, error,
 * message, errors? }`). Field errors are matched by field and rule; messages are checked to name
 * the field (and the maximum where there is one), not word for word.
 */
const fieldError = (field: string, rule: string, mentions: (string | number)[] = []) => ({
  field,
  rule,
  message: expect.stringMatching(new RegExp([field, ...mentions].map((m) => escape(String(m))).join('.*'), 's')),
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const problem = (statusCode: number, error: string, errors?: object[]) => ({
  statusCode,
  error,
  message: expect.any(String),
  ...(errors ? { errors: expect.arrayContaining(errors) } : {}),
});

export const bodies = {
  /** 400: one of the errors names `field` and `rule`. */
  invalid: (field: string, rule: string) => problem(400, 'Bad Request', [fieldError(field, rule)]),
  malformedJson: () => problem(400, 'Bad Request', [fieldError('body', 'json')]),
  notAnObject: () => problem(400, 'Bad Request', [{ field: 'body', rule: 'isObject', message: expect.any(String) }]),
  bodyTooLarge: () => problem(413, 'Payload Too Large', [{ field: 'body', rule: 'maxBytes', message: expect.any(String) }]),
  /** 413: `field` has more items or bytes than the server's `max`. */
  tooLarge: (field: string, rule: 'maxItems' | 'maxBytes', max: number) => ({
    ...problem(413, 'Payload Too Large', [fieldError(field, rule, [max])]),
    errors: [fieldError(field, rule, [max])],
  }),
  limitAboveMaximum: (field: string, max: number) => ({
    ...problem(422, 'Unprocessable Entity'),
    errors: [fieldError(field, 'max', [max])],
  }),
  unknownLanguage: (field = 'language') => ({
    ...problem(422, 'Unprocessable Entity'),
    errors: [{ field, rule: 'known', message: expect.stringMatching(/python/) }],
  }),
  /** 422: well-formed, but the server will not run it; one of the errors names `field` and `rule`. */
  unprocessable: (field: string, rule: string) => problem(422, 'Unprocessable Entity', [fieldError(field, rule)]),
  notFound: () => problem(404, 'Not Found'),
  conflict: () => problem(409, 'Conflict'),
  notReady: () => problem(503, 'Service Unavailable'),
};
