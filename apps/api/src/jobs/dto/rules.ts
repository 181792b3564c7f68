/**
 * Validation rules class-validator lacks, each named by the `rule` a client sees. Rules about a
 * value's neighbours (exactly one of `source`/`files`, tolerances only for `float`) read the
 * object being validated; none of them trusts a type before checking it.
 */
import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { filePathProblem, unrunnablePathProblem } from '@runbox/contract';

/** The longest language id or alias a request may name (a job's, an interactor's). */
export const MAX_LANGUAGE_LENGTH = 64;

type Obj = Record<string, unknown>;
const present = (v: unknown) => v !== undefined && v !== null;

function rule(
  name: string,
  validate: (value: unknown, object: Obj) => boolean,
  message: (args: ValidationArguments) => string,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => validate(value, (args?.object ?? {}) as Obj),
        defaultMessage: (args?: ValidationArguments) => message(args!),
      },
    });
}

/**
 * A relative path inside the box, checked by the contract's `filePathProblem`. A well-formed path
 * the launcher cannot take (a NUL, a leading "-") is left to the service, which answers 422 for
 * it (job-request.ts `unrunnableFields`) as for every field of that kind.
 */
export const IsSafePath = () =>
  rule(
    'safePath',
    (v) => typeof v !== 'string' || filePathProblem(v) === null || unrunnablePathProblem(v) !== null,
    (a) => `${a.property} ${typeof a.value === 'string' ? filePathProblem(a.value) : 'must be a string'}`,
  );

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Standard base64 (RFC 4648 §4, padded, no line breaks): what Buffer decodes without guessing. */
export const isBase64 = (s: string): boolean => BASE64.test(s);

/** `content` must decode when its `encoding` is base64. */
export const DecodesAsDeclared = () =>
  rule(
    'base64',
    (v, o) => o.encoding !== 'base64' || typeof v !== 'string' || isBase64(v),
    (a) => `${a.property} must be valid base64 (standard alphabet, padded) when encoding is base64`,
  );

/** No two files of one array share a path. */
export const UniquePaths = () =>
  rule(
    'uniquePaths',
    (v) => {
      if (!Array.isArray(v)) return true;
      const paths = v
        .filter((f): f is Obj => typeof f === 'object' && f !== null)
        .map((f) => f.path)
        .filter((p) => typeof p === 'string');
      return new Set(paths).size === paths.length;
    },
    (a) => `${a.property} must not contain two files with the same path`,
  );

/**
 * Exactly one of this property and `other` is given (when `applies` holds). Put it on a property
 * without `@IsOptional()`, so it also runs when neither is given.
 */
export const ExactlyOneOf = (other: string, applies: (o: Obj) => boolean = () => true, context = '') =>
  rule(
    'exactlyOneOf',
    (v, o) => !applies(o) || present(v) !== present(o[other]),
    (a) =>
      present(a.value)
        ? `${a.property} and ${other} must not both be given${context}`
        : `either ${a.property} or ${other} is required${context}`,
  );

/** The property may only be given when `applies` holds (e.g. tolerances only for `float`). */
export const OnlyWhen = (applies: (o: Obj) => boolean, what: string) =>
  rule(
    'onlyWhen',
    (v, o) => !present(v) || applies(o),
    (a) => `${a.property} is only allowed ${what}`,
  );

/** Required when `applies` holds (e.g. `language` of a custom checker). */
export const RequiredWhen = (applies: (o: Obj) => boolean, what: string) =>
  rule(
    'isDefined',
    (v, o) => present(v) || !applies(o),
    (a) => `${a.property} is required ${what}`,
  );

/** A string when given; null and absent pass (for properties that cannot use `@IsOptional()`). */
export const IsStringIfPresent = () =>
  rule(
    'isString',
    (v) => !present(v) || typeof v === 'string',
    (a) => `${a.property} must be a string`,
  );
