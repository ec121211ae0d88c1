/** @module Assertions on a whole-system replay: a sound log, terminal runs, and each run's items. */
import { expect } from 'vitest'
import type { SystemReplayResult } from '../../../scripts/replay/harness.ts'

export type ExpectedRun = { status: string; user: string; assistant: string }

const textOf = (content: { type: string; text?: string }): string => content.text ?? ''

export const expectReplayed = (r: SystemReplayResult, runs: ExpectedRun[]): void => {
  expect(r.problems).toEqual([])
  expect(r.violations).toEqual([])
  const sequences = r.events.map((e) => e.sequence)
  expect(sequences).toEqual(sequences.map((_, i) => i + 1))
  expect(new Set(r.events.map((e) => e.eventId)).size).toBe(r.events.length)
  expect(r.projection.sequence).toBe(r.events.length)
  const actual = [...r.projection.runs].sort((a, b) => a.ordinal - b.ordinal)
  expect(actual.map((run) => run.status)).toEqual(runs.map((run) => run.status))
  actual.forEach((run, i) => {
    const items = r.projection.turnItems.filter((item) => item.runId === run.id).sort((a, b) => a.ordinal - b.ordinal)
    expect(items.map((item) => item.content.type)).toEqual(['user_message', 'assistant_message'])
    expect(items.map((item) => item.status)).toEqual(['completed', 'completed'])
    expect(textOf(items[0]!.content)).toBe(runs[i]!.user)
    expect(textOf(items[1]!.content).trim()).toBe(runs[i]!.assistant)
  })
}
