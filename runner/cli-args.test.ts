import { describe, expect, it } from 'vitest'
import { parseCliArgs } from './cli-args.ts'

const base = ['--server', 'http://127.0.0.1:8787', '--token', 'tok', '--workspace', 'repo']

describe('parseCliArgs', () => {
  it('should resolve the workspace and default the state dir, log format and heartbeat', () => {
    const parsed = parseCliArgs(base, {}, '/home/me')
    expect(parsed).toEqual({
      kind: 'run',
      options: {
        server: new URL('http://127.0.0.1:8787'),
        token: 'tok',
        workspace: '/home/me/repo',
        stateDir: '/home/me/repo/.loom/runner',
        logFormat: 'text',
        heartbeatMs: 5000,
      },
    })
  })

  it('should take the token from LOOM_RUNNER_TOKEN when --token is absent', () => {
    const parsed = parseCliArgs(['--server', 'wss://loom.example', '--workspace', '/r'], { LOOM_RUNNER_TOKEN: 'from-env' })
    expect(parsed.kind === 'run' && parsed.options.token).toBe('from-env')
  })

  it('should honour --state-dir, --log-format json and --heartbeat-ms', () => {
    const parsed = parseCliArgs([...base, '--state-dir', '/var/loom', '--log-format', 'json', '--heartbeat-ms', '500'], {}, '/w')
    expect(parsed.kind === 'run' && parsed.options).toMatchObject({ stateDir: '/var/loom', logFormat: 'json', heartbeatMs: 500 })
  })

  it.each([
    { argv: ['--token', 't', '--workspace', 'w'], message: '--server URL is required' },
    { argv: ['--server', 'http://x', '--workspace', 'w'], message: '--token TOKEN is required (or set LOOM_RUNNER_TOKEN)' },
    { argv: ['--server', 'http://x', '--token', 't'], message: '--workspace DIR is required' },
    { argv: ['--server', 'not a url', '--token', 't', '--workspace', 'w'], message: '--server must be a URL such as http://127.0.0.1:8787, got "not a url"' },
    { argv: ['--server', 'ftp://x', '--token', 't', '--workspace', 'w'], message: '--server must use http, https, ws or wss, got "ftp:"' },
    { argv: [...base, '--log-format', 'xml'], message: '--log-format must be text or json, got "xml"' },
    { argv: [...base, '--heartbeat-ms', '5s'], message: '--heartbeat-ms must be an integer from 100 to 600000' },
  ])('should refuse $argv with "$message"', ({ argv, message }) => {
    expect(parseCliArgs(argv, {})).toEqual({ kind: 'error', message })
  })

  it('should refuse unknown options and positionals with node:util messages', () => {
    const unknown = parseCliArgs([...base, '--verbose'], {})
    expect(unknown.kind === 'error' && unknown.message).toMatch(/Unknown option '--verbose'/)
    const positional = parseCliArgs([...base, 'extra'], {})
    expect(positional.kind === 'error' && positional.message).toMatch(/Unexpected argument 'extra'/)
  })

  it('should ask for help with -h', () => {
    expect(parseCliArgs(['-h'])).toEqual({ kind: 'help' })
  })
})
