/**
 * @module The replay testkit core, provider-neutral: transcript format, normalizer, matcher
 * (strict / compatible with an equivalence table), cursor, virtual clock, recorder. See
 * README.md here.
 */
export * from './errors.ts'
export * from './transcript.ts'
export * from './normalize.ts'
export * from './diff.ts'
export * from './equivalences.ts'
export * from './match.ts'
export * from './clock.ts'
export * from './cursor.ts'
export * from './record.ts'
export * from './self-replay.ts'
