/**
 * The one validation pipe. Every bad request leaves here as `InvalidRequest`: a list of
 * `{ field, rule, message }` where `field` is the full path of the value (`files[0].path`,
 * `limits.memoryMb`), so a client can point at what it got wrong. The body is checked for shape
 * before class-transformer sees it: a nesting too deep to be a job, or a prototype key, is a bad
 * request, never a stack overflow or a silently rewritten object.
 */
import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError, type ValidatorOptions } from 'class-validator';

export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

/** One line for clients that show only `message`: the first problem, and how many more. */
export function summary(errors: readonly FieldError[]): string {
  if (errors.length === 0) return 'the request is invalid';
  return errors.length === 1 ? errors[0]!.message : `${errors[0]!.message} (and ${errors.length - 1} more)`;
}

/** A request that broke one or more rules of its DTO. */
export class InvalidRequest extends Error {
  constructor(readonly errors: FieldError[]) {
    super(summary(errors));
    this.name = 'InvalidRequest';
  }
}

/** Deepest nesting of a valid body (a batch → a job → tests → a test → args) plus slack. */
export const MAX_BODY_DEPTH = 12;
/** A client that gets hundreds of errors learns nothing more from the rest. */
export const MAX_REPORTED_ERRORS = 50;
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const child = (path: string, key: string, parentIsArray: boolean): string =>
  parentIsArray ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/**
 * Why a request body cannot be a DTO at all, as field errors: not an object, nested deeper than
 * any valid body, or carrying a key that would reach an object's prototype. Walks with its own
 * stack, so no body can exhaust the call stack here.
 */
export function bodyShapeErrors(body: unknown): FieldError[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return [{ field: 'body', rule: 'isObject', message: 'body must be a JSON object (Content-Type: application/json)' }];
  }
  const errors: FieldError[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: body, path: '', depth: 1 }];
  while (stack.length > 0 && errors.length < MAX_REPORTED_ERRORS) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_BODY_DEPTH) {
      errors.push({ field: path, rule: 'maxDepth', message: `${path} is nested deeper than ${MAX_BODY_DEPTH} levels` });
      continue;
    }
    const isArray = Array.isArray(value);
    for (const key of Object.keys(value)) {
      const at = child(path, key, isArray);
      if (!isArray && PROTOTYPE_KEYS.has(key)) {
        errors.push({ field: at, rule: 'forbidden', message: `${at} is not allowed` });
        continue;
      }
      stack.push({ value: (value as Record<string, unknown>)[key], path: at, depth: depth + 1 });
    }
  }
  return errors;
}

/** class-validator's error tree as a flat list with full paths (`jobs[3].limits.memoryMb`). */
export function flattenValidationErrors(errors: readonly ValidationError[], path = '', parentIsArray = false): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = child(path, e.property, parentIsArray);
    const constraints = Object.entries(e.constraints ?? {});
    // A missing value breaks every rule of its field; saying it is missing is enough.
    const missing = constraints.filter(([rule]) => rule === 'isDefined');
    for (const [rule, message] of missing.length ? missing : constraints) {
      if (rule === 'whitelistValidation') {
        out.push({ field, rule: 'unknownField', message: `${field} is not a known field` });
        continue;
      }
      // class-validator starts its messages with the bare property name: show the path instead.
      const text = message.startsWith(`${e.property} `) ? `${field}${message.slice(e.property.length)}` : `${field}: ${message}`;
      out.push({ field, rule, message: text });
    }
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field, Array.isArray(e.value)));
  }
  return out.slice(0, MAX_REPORTED_ERRORS);
}

const VALIDATOR_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  // Values stay on the errors so nested array paths can be told from object paths.
  validationError: { target: false, value: true },
};

/** Whether class `metatype` carries class-validator rules, per class, asked once. */
const ruled = new Map<unknown, boolean>();
function hasRules(metatype: ArgumentMetadata['metatype']): metatype is new () => object {
  let known = ruled.get(metatype);
  if (known === undefined) {
    known = typeof metatype === 'function' && getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false).length > 0;
    ruled.set(metatype, known);
  }
  return known;
}

/**
 * Checks a body or a query against its DTO class with class-validator (whitelist, unknown fields
 * refused), answering `InvalidRequest`. A parameter whose type has no rules (a path parameter, a
 * header, a compatibility route's `unknown` body) passes untouched, without class-transformer.
 * What passes is the value as it came: the DTO instance exists only to be validated (its class
 * is how class-validator finds the rules of each nested object), and handlers read the value
 * through the same interface. Every rule is synchronous, so the check is too.
 */
export class RequestValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom' || !hasRules(metadata.metatype)) return value;
    const shape = bodyShapeErrors(value);
    if (shape.length > 0) throw new InvalidRequest(shape);
    const errors = validateSync(plainToInstance(metadata.metatype, value), VALIDATOR_OPTIONS);
    if (errors.length > 0) throw new InvalidRequest(flattenValidationErrors(errors));
    return value;
  }
}
