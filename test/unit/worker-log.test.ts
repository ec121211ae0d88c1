/** @module worker/log.ts: one JSON object per line, ids as fields, credentials redacted, causes as text. */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { formatLine, log } from '../../worker/log.ts'

describe('worker log lines', () => {
  afterEach(() => vi.restoreAllMocks())

  it('should carry level, msg and the ids as fields, leaving out undefined ones', () => {
    expect(JSON.parse(formatLine('info', 'runner connected', { workspaceId: 'ws-1', epoch: 3, runnerId: 'r-1', threadId: undefined }))).toEqual({
      level: 'info',
      msg: 'runner connected',
      workspaceId: 'ws-1',
      epoch: 3,
      runnerId: 'r-1',
    })
  })

  it('should redact anything named like a credential', () => {
    const line = formatLine('warn', 'refused', { token: 'eyJhbGciOi.secret', authorization: 'Bearer x', apiKey: 'k', LOOM_JWT_SECRET: 's', threadId: 't' })
    expect(line).not.toMatch(/eyJhbGciOi|Bearer x|"k"|"s"/)
    expect(JSON.parse(line)).toMatchObject({ token: '[redacted]', authorization: '[redacted]', apiKey: '[redacted]', LOOM_JWT_SECRET: '[redacted]', threadId: 't' })
  })

  it('should write an Error cause as its stack, and survive a field that cannot be serialized', () => {
    const parsed = JSON.parse(formatLine('error', 'batch commit failed', { cause: new TypeError('boom') }))
    expect(parsed.cause).toMatch(/^TypeError: boom\n\s+at /)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(JSON.parse(formatLine('error', 'odd', { details: cyclic }))).toEqual({ level: 'error', msg: 'odd', unserializable: 'level,msg,details' })
  })

  it('should send each level to its console method', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    log.warn('effect delivery failed', { threadId: 't' })
    log.error('unhandled error', { cause: 'x' })
    expect(warn).toHaveBeenCalledWith('{"level":"warn","msg":"effect delivery failed","threadId":"t"}')
    expect(error).toHaveBeenCalledWith('{"level":"error","msg":"unhandled error","cause":"x"}')
  })
})
