/**
 * Approvals through the whole system, for each provider: the provider asks before a command
 * (Claude `canUseTool` for Bash, Codex `item/commandExecution/requestApproval` for an
 * escalated command), the subscriber sees a pending runtime request, and the user's answer
 * travels back to the provider; an interrupt while the request is pending ends both.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PROVIDERS, useProviderE2E } from '../support/provider-e2e.ts'

const e2e = useProviderE2E()

describe.each(PROVIDERS)('%s: approvals (approvals.supportsCommandApproval)', (provider) => {
  it('should run the command once the user accepts it', async () => {
    const t = await e2e().thread(provider)
    expect(t.profile.capabilities.approvals.supportsCommandApproval).toBe(true)
    await t.send(`${t.profile.askToRun('touch accepted.txt && echo ran-it')} go`)
    const request = await t.pendingRequest(1)
    expect(request).toMatchObject({ kind: 'command', status: 'pending', responseCapability: { type: 'live' } })
    expect(await t.run(1, ['waiting'])).toBeDefined()
    // Nothing ran before the answer.
    expect(existsSync(join(t.ws.dir, 'accepted.txt'))).toBe(false)
    expect(t.modelCalls()).toHaveLength(1)
    await t.respond(request.id, 'accept')
    const run = await t.run(1, ['completed', 'failed', 'interrupted'])
    expect(run).toMatchObject({ status: 'completed', failure: null })
    const p = await t.expectCleanStream()
    expect(existsSync(join(t.ws.dir, 'accepted.txt'))).toBe(true)
    expect(p.runtimeRequests).toEqual([expect.objectContaining({ id: request.id, status: 'resolved', response: expect.objectContaining({ decision: 'accept' }) })])
    const command = t.items(1, 'command_execution').at(-1)
    expect(command).toMatchObject({ status: 'completed', content: { exitCode: 0 } })
    expect(command.content.output).toContain('ran-it')
    const calls = t.modelCalls()
    expect(calls).toHaveLength(2)
    expect(calls[1]!.view!.lastToolOutput).toContain('ran-it')
  })

  it('should tell the model when the user declines, and run nothing', async () => {
    const t = await e2e().thread(provider)
    await t.send(`${t.profile.askToRun('touch declined.txt')} go`)
    const request = await t.pendingRequest(1)
    await t.respond(request.id, 'decline')
    const run = await t.run(1, ['completed', 'failed', 'interrupted'])
    expect(run).toMatchObject({ status: 'completed', failure: null })
    const p = await t.expectCleanStream()
    expect(existsSync(join(t.ws.dir, 'declined.txt'))).toBe(false)
    expect(p.runtimeRequests).toEqual([expect.objectContaining({ id: request.id, status: 'resolved', response: expect.objectContaining({ decision: 'decline' }) })])
    expect(t.items(1, 'command_execution').at(-1)?.status).not.toBe('completed')
    const calls = t.modelCalls()
    expect(calls).toHaveLength(2)
    expect(calls[1]!.view!.lastToolOutput).toMatch(t.profile.declinedOutput)
  })

  it('should end a pending request and the run when the run is interrupted', async () => {
    const t = await e2e().thread(provider)
    await t.send(`${t.profile.askToRun('touch never.txt')} go`)
    const request = await t.pendingRequest(1)
    const run = await t.run(1, ['waiting'])
    await t.interrupt(run.id)
    const ended = await t.run(1, ['completed', 'failed', 'interrupted'], 10_000)
    expect(ended).toMatchObject({ status: 'interrupted' })
    const p = await t.expectCleanStream()
    const closed = p.runtimeRequests.find((r) => r.id === request.id)
    expect(['cancelled', 'expired']).toContain(closed?.status)
    expect(closed?.response).toBeNull()
    expect(existsSync(join(t.ws.dir, 'never.txt'))).toBe(false)
    // An answer that comes too late is refused; the provider never asked the model again.
    await expect(t.respond(request.id, 'accept')).rejects.toThrow()
    expect(t.modelCalls()).toHaveLength(1)
  })
})
