import { problemSchema } from './problems.js';

/** Every error a route answers is a problem document (the error handler sees to it). */
const problemResponse = { $ref: `${problemSchema.$id}#` } as const;

/**
 * A route's `response` schemas: the success responses it names, plus problem+json for every
 * 4xx and 5xx, so the OpenAPI documents the errors and the serializer keeps their fields.
 */
export function withProblems<const Success extends Readonly<Record<number, unknown>>>(
  success: Success,
): Success & { readonly '4xx': typeof problemResponse; readonly '5xx': typeof problemResponse } {
  return { ...success, '4xx': problemResponse, '5xx': problemResponse };
}
