/**
 * @module Corpus transcripts that cannot pass through the whole system today, each with the
 * reason it fails (a pattern the measured reason must match, naming the transcript line) and
 * why, verified by reading the transcript and the code. test/replay/conformance.test.ts asserts
 * that each still fails exactly so; when one starts passing, the test says so and it moves out
 * of this list.
 */
/** `line`: the transcript line where it fails, when the measured reason does not name one. */
export type KnownFailure = { reason: RegExp; why: string; line?: number }

export const KNOWN_FAILURES: Readonly<Record<string, KnownFailure>> = {}
