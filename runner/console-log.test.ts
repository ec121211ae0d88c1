/** @module The runner console: one readable line per change, repeats collapsed; JSON lines complete. */
import { describe, expect, it } from 'vitest'
import { createLogger } from './console-log.ts'

const at = () => new Date('2026-01-02T03:04:05.678Z')

describe('runner console', () => {
  it('should print a text line with quoted values where needed', () => {
    const lines: string[] = []
    const log = createLogger('text', (l) => lines.push(l), at)
    log.info('connected', { server: 'http://127.0.0.1:8787', epoch: 2, workspace: 'my ws' })
    log.warn('link lost; reconnecting', { threadId: 't-1', reason: undefined })
    expect(lines).toEqual(['03:04:05.678 connected server=http://127.0.0.1:8787 epoch=2 workspace="my ws"', '03:04:05.678 WARN link lost; reconnecting threadId=t-1'])
  })

  it('should collapse a line that keeps repeating, and say how often once something else happens', () => {
    const lines: string[] = []
    const log = createLogger('text', (l) => lines.push(l), at)
    for (let i = 0; i < 23; i++) log.warn('control connection failed; retrying with backoff', { detail: 'ECONNREFUSED' })
    log.info('connected', { epoch: 1 })
    expect(lines).toEqual([
      '03:04:05.678 WARN control connection failed; retrying with backoff detail=ECONNREFUSED',
      '03:04:05.678 WARN control connection failed; retrying with backoff detail=ECONNREFUSED repeated=10',
      '03:04:05.678 (the line before repeated 22 times)',
      '03:04:05.678 connected epoch=1',
    ])
  })

  it('should keep every line as JSON, repeats included', () => {
    const lines: string[] = []
    const log = createLogger('json', (l) => lines.push(l), at)
    log.info('turn running', { threadId: 't', runId: 'r' })
    log.info('turn running', { threadId: 't', runId: 'r' })
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { t: '2026-01-02T03:04:05.678Z', level: 'info', msg: 'turn running', threadId: 't', runId: 'r' },
      { t: '2026-01-02T03:04:05.678Z', level: 'info', msg: 'turn running', threadId: 't', runId: 'r' },
    ])
  })

  it('should stamp JSON lines with the runner id and epoch once known', () => {
    const lines: string[] = []
    const context: { runnerId?: string; epoch?: number } = {}
    const log = createLogger('json', (l) => lines.push(l), at, () => context)
    log.info('runner starting')
    context.runnerId = 'r-1'
    context.epoch = 4
    log.info('attached', { threadId: 't' })
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { t: '2026-01-02T03:04:05.678Z', level: 'info', msg: 'runner starting' },
      { t: '2026-01-02T03:04:05.678Z', level: 'info', msg: 'attached', runnerId: 'r-1', epoch: 4, threadId: 't' },
    ])
  })
})
