// The schemas of what users send (forms, JSON, route parameters), on zod/mini with named
// imports: the CLI's other commands share zod's core with this app, and the full zod build
// would put all of it on their start-up path.
import {
  coerce,
  int,
  maxLength,
  minLength,
  object,
  optional,
  pipe,
  positive,
  regex,
  string,
  transform,
  trim,
  type ZodMiniType,
} from 'zod/mini'
import '../detector/zod-messages.ts'
import { BadInputError } from '../core/errors.ts'

export { object, optional, regex, string }

/** A trimmed string of `min`..`max` characters. */
export const text = (min: number, max: number, tooShort?: string) =>
  string().check(trim(), minLength(min, tooShort), maxLength(max))

/** A positive whole number from a route parameter or a form field. */
export const positiveId = () => pipe(coerce.number(), int().check(positive()))

/** A text field where empty and null count as absent. */
export const blankAsAbsent = <T extends ZodMiniType<string, string>>(schema: T) =>
  pipe(
    transform((v: unknown) => (v === '' || v === null ? undefined : (v as string))),
    optional(schema),
  )

export function parseOrThrow<T>(schema: ZodMiniType<T>, input: unknown): T {
  const r = schema.safeParse(input)
  if (r.success) return r.data
  throw new BadInputError(r.error.issues.map((i) => i.message).join('; '))
}
